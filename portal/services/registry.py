"""The portal's client of the population data API. Everything crosses HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests

from common import logs


class RegistryError(Exception):
    """The registry could not answer; the page says so instead of failing."""


class RegistryAuthExpired(RegistryError):
    """The citizen's access token is no longer accepted: they must sign in again."""


class PersonNotFound(RegistryError):
    """No person with that number in the registry."""


class TooManyMatchAttempts(RegistryError):
    """The registry refuses further match checks about this person for this citizen for
    now: too many wrong answers (a name is not found by trying)."""


T = TypeVar("T")


def with_service_token(token: Callable[[bool], str], call: Callable[[str], T]) -> T:
    """`call(token)` with the portal's service token (`token(fresh)` gives it); a refused
    token is fetched again, once. A second refusal is an outage like any other: these are the
    portal's own credentials, so signing the citizen in again would not help."""
    for fresh in (False, True):
        try:
            return call(token(fresh))
        except RegistryAuthExpired:
            continue
    raise RegistryError("service token refused twice")


def my_record(
    base_url: str,
    access_token: str,
    *,
    purpose: str = "Hiển thị trang cá nhân trên Cổng Dịch vụ công",
    timeout: int = 10,
) -> dict:
    """The signed-in citizen's own record, each value with its source and update time."""
    return _get(base_url + "/api/population/me", access_token, {"purpose": purpose}, timeout)


def lookup(
    base_url: str,
    service_token: str,
    personal_id: str,
    *,
    purpose: str,
    actor: str,
    timeout: int = 10,
) -> dict:
    """Another person's record, read by the portal's back office (audited by the registry)."""
    params = {"purpose": purpose, "actor": actor}
    url = f"{base_url}/api/population/people/{personal_id}"
    return _get(url, service_token, params, timeout)


def judicial_record(
    base_url: str,
    service_token: str,
    personal_id: str,
    *,
    form: int,
    bans: bool = False,
    purpose: str,
    actor: str,
    timeout: int = 10,
) -> dict:
    """What a Phiếu lý lịch tư pháp số `form` (1 or 2) states about the person, from the
    registry's judicial-record database (audited there per read): the identity block, the
    criminal-record statement with its convictions, and the bankruptcy bans (on a phiếu 1
    only when `bans`). Its JSON shape is in identity_mock/judicial.py."""
    if form not in (1, 2):
        raise ValueError(f"form must be 1 or 2, not {form!r}")
    params = {"form": str(form), "bans": "1" if bans else "0", "purpose": purpose}
    params["actor"] = actor
    url = f"{base_url}/api/population/people/{personal_id}/judicial-record"
    return _get(url, service_token, params, timeout)


def match(
    base_url: str,
    service_token: str,
    personal_id: str,
    full_name: str,
    birth_date: str | None = None,
    *,
    purpose: str,
    actor: str,
    timeout: int = 10,
) -> bool:
    """Whether `personal_id` is the person of `full_name` (and `birth_date`, YYYY-MM-DD):
    the registry answers yes or no, nothing else (audited there as a match check). An
    unknown number is a no."""
    body = {"personal_id": personal_id, "full_name": full_name, "purpose": purpose}
    body["actor"] = actor
    if birth_date:
        body["birth_date"] = birth_date
    answer = _call("POST", base_url + "/api/population/match", service_token, timeout, json=body)
    if not isinstance(answer, bool):
        raise RegistryError("malformed match answer")
    return answer


# One pooled session for the process (keep-alive to the registry); the registry is reached
# directly, so proxy variables of the environment are not consulted on every call.
_http = logs.TracedSession()  # passes the portal request's id on
_http.trust_env = False


class RegistryRefused(RegistryError):
    """The registry understood the request and refused it (400, 404, 409)."""


def _get(url: str, token: str, params: dict, timeout: int) -> dict:
    return _call("GET", url, token, timeout, params=params)


def _post(url: str, token: str, body: dict, timeout: int) -> dict:
    """POST a JSON body; the `data` of a 200/201 answer, else RegistryError with the reason."""
    return _call("POST", url, token, timeout, json=body)


def _call(method: str, url: str, token: str, timeout: int, **kwargs):
    try:
        resp = _http.request(
            method, url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout, **kwargs
        )
    except requests.RequestException as exc:
        raise RegistryError(str(exc)) from exc
    if resp.status_code == 401:
        raise RegistryAuthExpired("access token refused")
    if method == "GET" and resp.status_code == 404:
        raise PersonNotFound(url)
    if resp.status_code == 429 and _error_code(resp) == "too_many_attempts":
        raise TooManyMatchAttempts(url)
    if resp.status_code not in (200, 201):
        raise _refusal(resp)
    try:
        body = resp.json()
        return body["match"] if url.endswith("/match") else body["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError("malformed response") from exc


def _error_code(resp: requests.Response) -> str | None:
    try:
        body = resp.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def _refusal(resp: requests.Response) -> RegistryError:
    try:
        reason = resp.json().get("error_description") or f"status {resp.status_code}"
    except (ValueError, AttributeError):
        reason = f"status {resp.status_code}"
    error = RegistryRefused if resp.status_code in (400, 404, 409) else RegistryError
    return error(reason)
