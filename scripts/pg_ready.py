"""Exit 0 when a PostgreSQL server answers at the URL given as the only argument."""

import sys

from sqlalchemy import text

from common.db import make_engine


def main(url: str) -> int:
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
