"""Failed passcodes at VNeID: an atomic counter (parallel guesses cannot all be checked),
the same answer and the same work for an unknown personal ID, and a lock per personal ID
and client address, so a stranger cannot keep the owner out."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlmodel import Session
from werkzeug.security import check_password_hash

from identity_mock import accounts
from identity_mock.db import db as idp_db
from identity_mock.models import LoginThrottle
from tests.support import flows, oauth
from tests.support.apps import LiveServer, free_port

PASSCODE = oauth.PASSCODE
STRANGER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


class CountingCheck:
    """check_password_hash, counting its calls (from any server thread)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, pwhash: str, password: str) -> bool:
        with self._lock:
            self.calls += 1
        return check_password_hash(pwhash, password)


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-lockout"))
    yield app
    oauth.discard_provider(app)


@pytest.fixture
def checks(monkeypatch) -> CountingCheck:
    counter = CountingCheck()
    monkeypatch.setattr(accounts, "check_password_hash", counter)
    return counter


def _post(client, personal_id: str, passcode: str, environ: dict | None = None):
    environ = environ or {}
    page = client.get("/dang-nhap", environ_base=environ)
    token = oauth.csrf_tokens(page.get_data(as_text=True))["csrf_token"]
    return client.post(
        "/dang-nhap",
        data={"csrf_token": token, "personal_id": personal_id, "passcode": passcode},
        environ_base=environ,
    )


def _error_text(resp) -> str:
    """The error messages of a refused sign-in page, without the echoed personal ID."""
    html = resp.get_data(as_text=True)
    start = html.index('class="error-summary')
    return html[start : html.index("</div>", start)]


# --- the counter is atomic -------------------------------------------------------------


@pytest.fixture(scope="module")
def live_provider(provider):
    port = free_port()
    server = LiveServer(provider, port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_thirty_parallel_wrong_passcodes_check_at_most_five(live_provider, checks):
    """One browser per guess, all sent at once: 5 are checked, then the ID is locked."""
    target = "079302034567"
    browsers = []
    for _ in range(30):
        browser = requests.Session()
        page = browser.get(live_provider + "/dang-nhap", timeout=10)
        browsers.append((browser, flows.csrf_tokens(page.text)["csrf_token"]))
    start = threading.Barrier(len(browsers))
    answers: list[str] = []

    def guess(browser: requests.Session, token: str) -> None:
        data = {"csrf_token": token, "personal_id": target, "passcode": "000000"}
        start.wait()
        resp = browser.post(live_provider + "/dang-nhap", data=data, timeout=60)
        answers.append(resp.text)

    threads = [threading.Thread(target=guess, args=pair) for pair in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(answers) == 30
    assert checks.calls <= 5
    assert sum("Tài khoản đang tạm khóa" in a for a in answers) >= 25
    assert sum("Tài khoản bị tạm khóa 15 phút." in a for a in answers) == 1
    # Still locked for the right passcode, which is not even checked.
    browser = requests.Session()
    token = flows.csrf_tokens(browser.get(live_provider + "/dang-nhap", timeout=10).text)
    resp = browser.post(
        live_provider + "/dang-nhap",
        data={"csrf_token": token["csrf_token"], "personal_id": target, "passcode": PASSCODE},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 400 and "Tài khoản đang tạm khóa" in resp.text
    assert checks.calls <= 5


# --- an unknown personal ID looks like a known one ---------------------------------------


def test_unknown_id_and_wrong_passcode_get_the_same_message(provider):
    client = provider.test_client()
    known = _post(client, "001190023456", "000000")
    unknown = _post(client, "001190099999", "000000")
    assert known.status_code == unknown.status_code == 400
    assert _error_text(known) == _error_text(unknown)
    assert "Số định danh cá nhân hoặc mật mã không đúng. Bạn còn 4 lần thử." in _error_text(known)


def test_an_unknown_id_is_locked_like_a_known_one(provider):
    client = provider.test_client()
    for personal_id in ("038088012345", "038088099999"):
        answers = [_post(client, personal_id, "000000", OWNER) for _ in range(6)]
        assert "Tài khoản bị tạm khóa 15 phút." in answers[4].get_data(as_text=True)
        assert "Tài khoản đang tạm khóa" in answers[5].get_data(as_text=True)


def test_an_unknown_id_costs_the_same_hash_work(provider, checks):
    client = provider.test_client()
    _post(client, "079199089012", "000000", {"REMOTE_ADDR": "192.0.2.1"})
    assert checks.calls == 1
    _post(client, "079199088888", "000000", {"REMOTE_ADDR": "192.0.2.1"})
    assert checks.calls == 2


def test_unknown_and_known_ids_take_similar_time(provider):
    """The fastest of a few tries (noise only adds time): an unknown ID is not answered
    markedly faster than a wrong passcode for a known one."""
    client = provider.test_client()

    def fastest(personal_id: str) -> float:
        times = []
        for n in range(4):
            environ = {"REMOTE_ADDR": f"192.0.2.{10 + n}"}
            started = time.perf_counter()
            _post(client, personal_id, "000000", environ)
            times.append(time.perf_counter() - started)
        return min(times)

    known, unknown = fastest("079095001234"), fastest("079095007777")
    assert unknown > known / 3, (known, unknown)


# --- a stranger cannot keep the owner out --------------------------------------------------


def test_a_stranger_locks_only_their_own_address(provider):
    owner_id = "079095001234"
    stranger, owner = provider.test_client(), provider.test_client()
    for _ in range(6):
        resp = _post(stranger, owner_id, "000000", STRANGER)
    assert "Tài khoản đang tạm khóa" in resp.get_data(as_text=True)
    resp = _post(owner, owner_id, PASSCODE, OWNER)
    assert resp.status_code == 302
    assert owner.get("/da-dang-nhap", environ_base=OWNER).status_code == 200


NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def session(provider):
    with provider.app_context(), idp_db.new_session() as s:
        yield s


def _attempt(session: Session, passcode: str, at: datetime, client: str, personal_id: str):
    return accounts.authenticate(
        session,
        personal_id,
        passcode,
        now=at,
        max_attempts=5,
        lock_minutes=15,
        max_lock_minutes=60,
        client=client,
    )


def test_locks_double_up_to_the_cap_and_a_right_passcode_clears_them(session):
    personal_id, client = "079199089012", "198.51.100.99"
    at, lengths = NOW, []
    for _round in range(4):
        for _ in range(4):
            with pytest.raises(accounts.LoginError, match="còn"):
                _attempt(session, "000000", at, client, personal_id)
        with pytest.raises(accounts.LoginError, match="tạm khóa") as locked:
            _attempt(session, "000000", at, client, personal_id)
        lengths.append(int(locked.value.message.split("tạm khóa ")[1].split(" ")[0]))
        with pytest.raises(accounts.LoginError, match="đang tạm khóa"):
            _attempt(
                session, PASSCODE, at + timedelta(minutes=lengths[-1] - 1), client, personal_id
            )
        at += timedelta(minutes=lengths[-1] + 1)
    assert lengths == [15, 30, 60, 60]
    assert _attempt(session, PASSCODE, at, client, personal_id).personal_id == personal_id
    row = session.get(LoginThrottle, (personal_id, client))
    assert row is None  # cleared: the next lock is 15 minutes again
