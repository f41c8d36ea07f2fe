"""The portal's client of the population data API. Everything crosses HTTP."""

from __future__ import annotations

import requests


class RegistryError(Exception):
    """The registry could not answer; the page says so instead of failing."""


class RegistryAuthExpired(RegistryError):
    """The citizen's access token is no longer accepted: they must sign in again."""


def my_record(base_url: str, access_token: str, *, timeout: int = 10) -> dict:
    """The signed-in citizen's own record, each value with its source and update time."""
    try:
        resp = requests.get(
            base_url + "/api/population/me",
            headers={"Authorization": f"Bearer {access_token}"},
            params={"purpose": "Hiển thị trang cá nhân trên Cổng Dịch vụ công"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise RegistryError(str(exc)) from exc
    if resp.status_code == 401:
        raise RegistryAuthExpired("access token refused")
    if resp.status_code != 200:
        raise RegistryError(f"status {resp.status_code}")
    try:
        return resp.json()["data"]
    except (ValueError, KeyError) as exc:
        raise RegistryError("malformed response") from exc
