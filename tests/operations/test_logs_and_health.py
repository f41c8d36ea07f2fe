"""Request ids, JSON-lines logs and /healthz on both apps (common/logs.py,
common/health.py, the portal's /healthz), and the `make serve` launcher."""

from __future__ import annotations

import importlib.machinery
import json
import logging
import sys
import types

import pytest

from common import logs
from identity_mock.db import db as idp_db
from scripts import serve


def test_a_request_without_an_id_gets_a_new_one_echoed(portal_client):
    first = portal_client.get("/healthz").headers["X-Request-ID"]
    second = portal_client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize("client", ["portal_client", "idp_client"])
def test_a_plausible_incoming_id_is_kept(client, request):
    resp = request.getfixturevalue(client).get("/healthz", headers={"X-Request-ID": "abc-1.2:3"})
    assert resp.headers["X-Request-ID"] == "abc-1.2:3"


@pytest.mark.parametrize("bad", ["a b", "x" * 129, "mã-số", "a\tb", ""])
def test_an_implausible_incoming_id_is_replaced(portal_client, bad):
    resp = portal_client.get("/healthz", headers={"X-Request-ID": bad})
    assert resp.headers["X-Request-ID"] != bad and len(resp.headers["X-Request-ID"]) == 32


def test_outgoing_headers_carry_the_request_id(portal_app):
    assert logs.outgoing_headers() == {}
    with portal_app.test_request_context("/", headers={"X-Request-ID": "from-portal"}):
        portal_app.preprocess_request()
        assert logs.outgoing_headers() == {"X-Request-ID": "from-portal"}


def test_every_request_leaves_one_access_record(portal_client, caplog):
    with caplog.at_level(logging.INFO, logger=logs.ACCESS_LOGGER):
        portal_client.get("/khong-ton-tai", headers={"X-Request-ID": "r-404"})
    [record] = [r for r in caplog.records if r.name == logs.ACCESS_LOGGER]
    line = json.loads(logs.JsonFormatter("portal").format(record))
    assert line["app"] == "portal" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/khong-ton-tai", 404)
    assert line["request_id"] == "r-404" and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_json_lines_keep_exceptions_on_one_line():
    try:
        raise ValueError("hỏng")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "lỗi %s", ("A",), sys.exc_info())
    text = logs.JsonFormatter("identity_mock").format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "lỗi A" and "ValueError: hỏng" in line["exception"]
    assert line["request_id"] is None


def test_provider_healthz_reports_database(idp_client, monkeypatch):
    resp = idp_client.get("/healthz")
    assert resp.status_code == 200 and resp.json == {"status": "ok", "database": "ok"}
    assert resp.headers["Cache-Control"] == "no-store"
    monkeypatch.setattr(idp_db, "is_reachable", lambda: False)
    resp = idp_client.get("/healthz")
    assert resp.status_code == 503 and resp.json["database"] == "unreachable"


@pytest.mark.parametrize(("reachable", "status"), [(True, 200), (False, 503)])
def test_portal_healthz_reports_the_queue_when_there_is_one(
    portal_client, monkeypatch, reachable, status
):
    tasks = types.ModuleType("portal.tasks")
    tasks.__spec__ = importlib.machinery.ModuleSpec("portal.tasks", None)
    tasks.queue_reachable = lambda: reachable
    monkeypatch.setitem(sys.modules, "portal.tasks", tasks)
    resp = portal_client.get("/healthz")
    assert resp.status_code == status
    assert resp.json["queue"] == ("ok" if reachable else "unreachable")
    assert resp.json["database"] == "ok"


def test_serve_refuses_to_start_without_the_secrets(monkeypatch, capsys):
    for name in serve.SECRETS:
        monkeypatch.delenv(name, raising=False)
    assert serve.main() == 2
    err = capsys.readouterr().err
    assert "PORTAL_SECRET_KEY" in err and "IDP_SECRET_KEY" in err


def test_serve_uses_the_production_configuration():
    env = serve.production_env({"PORTAL_PORT": "6000", "DEBUG_SWITCH": "x"})
    assert (env["PORTAL_ENV"], env["IDP_ENV"], env["LOG_FORMAT"]) == ("production",) * 2 + ("json",)
    assert env["PORTAL_URL"] == "http://127.0.0.1:6000"
    cmd = serve.gunicorn_command("portal", env)
    assert cmd[-1] == "portal:create_app()" and "127.0.0.1:6000" in cmd
    assert cmd[cmd.index("-c") + 1] == "python:scripts.serve"
    assert serve.missing_secrets({"PORTAL_SECRET_KEY": "a", "PAYMENT_SECRET": "b"}) == [
        "IDP_SECRET_KEY",
        "PAYMENT_SECRET_KEY",
    ]


def test_production_apps_have_no_dev_switches(tmp_path):
    """What `make serve` builds: the provider without personas or test switches."""
    from identity_mock import config

    settings = config.load({"ENV_NAME": "production", "SECRET_KEY": "s"})
    assert not settings["DEV_PERSONAS"] and not settings["TEST_SWITCHES"]
    assert not settings["RECORD_CALLS"]


@pytest.mark.parametrize("launcher", ["run", "serve"])
def test_the_worker_starts_only_once_the_portal_has_a_task_module(launcher, tmp_path, monkeypatch):
    from scripts import run

    module = {"run": run, "serve": serve}[launcher]
    command = (
        (lambda: run.worker_command("python"))
        if launcher == "run"
        else (lambda: serve.worker_command({}))
    )
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert command() is None
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "tasks.py").write_text("")
    cmd = command()
    assert cmd is not None
    assert "portal.tasks.huey" in cmd or cmd[-2:] == ["scripts.serve", "worker"]
