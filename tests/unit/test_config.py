import pytest

from identity_mock import config as idp_config
from portal import config as portal_config


@pytest.mark.parametrize("module", [idp_config, portal_config])
def test_dev_is_the_default_and_uses_sqlite_in_the_instance_folder(module, monkeypatch, tmp_path):
    monkeypatch.delenv("IDP_ENV", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    settings = module.load({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": ""})
    assert settings["ENV_NAME"] == "dev"
    assert settings["DATABASE_URL"].startswith(f"sqlite:///{tmp_path}/")


@pytest.mark.parametrize("module", [idp_config, portal_config])
def test_production_needs_a_secret(module):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        module.load({"ENV_NAME": "production", "SECRET_KEY": ""})


@pytest.mark.parametrize("module", [idp_config, portal_config])
def test_unknown_environment_is_refused(module):
    with pytest.raises(ValueError, match="must be one of"):
        module.load({"ENV_NAME": "staging"})


def test_environment_variable_picks_the_class(monkeypatch):
    monkeypatch.setenv("IDP_ENV", "test")
    assert idp_config.load()["ENV_NAME"] == "test"


def test_dev_tools_are_off_in_production():
    settings = idp_config.load({"ENV_NAME": "production", "SECRET_KEY": "x"})
    assert settings["DEV_PERSONAS"] is False and settings["TEST_SWITCHES"] is False


def test_cookie_names_differ_between_the_apps():
    idp = idp_config.load({"ENV_NAME": "test"})
    portal = portal_config.load({"ENV_NAME": "test"})
    assert idp["SESSION_COOKIE_NAME"] != portal["SESSION_COOKIE_NAME"]
    for settings in (idp, portal):
        assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://example/db")
    import importlib

    reloaded = importlib.reload(portal_config)
    try:
        assert reloaded.load({"ENV_NAME": "test"})["DATABASE_URL"] == "postgresql://example/db"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(portal_config)


def test_production_portal_needs_the_payment_secret(monkeypatch):
    monkeypatch.delenv("PAYMENT_SECRET", raising=False)
    with pytest.raises(ValueError, match="PAYMENT_SECRET"):
        portal_config.load({"ENV_NAME": "production", "SECRET_KEY": "s", "PAYMENT_SECRET": ""})
    settings = portal_config.load({"ENV_NAME": "dev"})
    assert settings["PAYMENT_SECRET"] and settings["PAYMENT_MERCHANT"] == "CONGDVC"
    assert settings["PAYMENT_URL"] == "http://127.0.0.1:5002"
