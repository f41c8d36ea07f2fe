"""`<int:…>` route parameters: an id beyond what a database column holds is no match (404),
never an overflow in the query (the fuzz found one on /ho-so-nhap/<id>/xoa)."""

import pytest

from common.web import make_app


@pytest.fixture
def client(tmp_path):
    app = make_app(__name__, {"INSTANCE_PATH": str(tmp_path)})
    app.add_url_rule("/x/<int:item>", "item", lambda item: str(item))
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/x/1", 200),
        (f"/x/{2**63 - 1}", 200),
        (f"/x/{2**63}", 404),
        ("/x/" + "9" * 40, 404),
        ("/x/-1", 404),
        ("/x/١", 404),
    ],
)
def test_ids_beyond_a_bigint_are_not_found(client, path, status):
    assert client.get(path).status_code == status
