"""The provider's web tests share one provider (building one costs about a second).

Tests keep to their own data: unique codes, nonces and assertion ids, one persona per
lockout counter, audit rows told apart by purpose.
"""

import pytest

from tests.support import oauth
from tests.support.apps import dispose


@pytest.fixture(scope="session")
def idp_app(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-shared"))
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def rp(idp_app) -> oauth.RelyingParty:
    """A private_key_jwt client with its public key stored inline."""
    return oauth.register_client(idp_app)
