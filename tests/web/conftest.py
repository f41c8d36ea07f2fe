"""The provider's web tests share one provider (building one costs about a second).

Tests keep to their own data: unique codes, nonces and assertion ids, one persona per
lockout counter, audit rows told apart by purpose.

The back office's tests get `backoffice_app`: a portal of their own with the demo staff
and the commune's office; `channels_app` is that portal sending e-mail to a local SMTP
server (`smtp`) and SMS to a recording provider.
"""

import pytest

from portal.services.sms import RecordingSms
from tests import factories
from tests.support import oauth
from tests.support.apps import dispose
from tests.support.smtp import smtp_server


@pytest.fixture(scope="session")
def idp_app(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-shared"))
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def rp(idp_app) -> oauth.RelyingParty:
    """A private_key_jwt client with its public key stored inline."""
    return oauth.register_client(idp_app)


@pytest.fixture
def backoffice_app(tmp_path):
    with factories.backoffice_portal(tmp_path) as app:
        yield app


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def channels_app(backoffice_app, smtp):
    backoffice_app.config.update(smtp.settings, PORTAL_URL="http://portal.test")
    backoffice_app.extensions["sms"] = RecordingSms()
    return backoffice_app
