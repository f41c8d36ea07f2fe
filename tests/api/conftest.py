"""The published APIs under test: one provider and one portal per module, the tokens and
the signed-in session their operations need, and their OpenAPI documents loaded by
Schemathesis straight from the apps (WSGI, no server)."""

from __future__ import annotations

import pytest
import schemathesis

from tests import factories
from tests.support import oauth
from tests.support.apps import dispose, make_idp, make_portal

UA = "kiem-thu-api"  # the session is bound to the address and the user agent
WRITE_SCOPE = "openid population population.lookup population.write"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    app = make_idp(
        tmp_path_factory.mktemp("api-idp"), issuer=oauth.ISSUER, portal_url=oauth.PORTAL_URL
    )
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def tokens(provider) -> dict[str, str]:
    """An access token for each scope an operation names: a citizen's (An) for
    `population`, a system's (client credentials) for the others."""
    client = provider.test_client()
    reader = oauth.register_client(provider)
    writer = oauth.register_client(
        provider, client_id="rp-api-writer", key=oauth.rsa_key(label="w"), scope=WRITE_SCOPE
    )
    _, user = oauth.login_tokens(client, rp=reader, scope="openid population")
    return {
        "population": user["access_token"],
        "population.lookup": oauth.client_credentials_token(client, rp=reader),
        "population.write": oauth.client_credentials_token(
            client, rp=writer, scope="population.write"
        ),
    }


@pytest.fixture(scope="module")
def provider_schema(provider):
    return schemathesis.openapi.from_wsgi("/api/population/openapi.json", provider)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    app = make_portal(
        tmp_path_factory.mktemp("api-portal"),
        issuer="http://127.0.0.1:9",
        portal_url="http://portal.test",
        seed=True,
    )
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def signed_in(portal) -> dict:
    """Schemathesis call arguments for An's signed-in session: its cookie, and the user
    agent and address it is bound to (the WSGI transport sends no address by itself)."""
    client = portal.test_client()
    client.environ_base["HTTP_USER_AGENT"] = UA
    factories.sign_in(portal, client, factories.AN)
    cookie = client.get_cookie(portal.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return {
        "headers": {"User-Agent": UA},
        "cookies": {cookie.key: cookie.value},
        "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
    }


@pytest.fixture(scope="module")
def an_dossier(portal) -> str:
    """A dossier An filed, so the dossier answers are not only 404s."""
    return factories.add_dossiers(portal, {})[0]


@pytest.fixture(scope="module")
def portal_schema(portal):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", portal)
