"""The misbehaviour switches and call record of a live mock service (the provider, the
payment gateway), over HTTP: `PUT /test/switches`, `GET/DELETE /test/calls`."""

from __future__ import annotations

import requests


class MockControl:
    def __init__(self, url: str) -> None:
        self.url = url

    def switch(self, *names: str) -> None:
        resp = requests.put(self.url + "/test/switches", json={"active": list(names)}, timeout=5)
        resp.raise_for_status()

    def calls(self) -> list[dict]:
        return requests.get(self.url + "/test/calls", timeout=5).json()["calls"]

    def reset(self) -> None:
        self.switch()
        requests.delete(self.url + "/test/calls", timeout=5).raise_for_status()
