"""Configuration classes chosen by one environment variable, as both apps do it."""

from __future__ import annotations

import os


def load_settings(configs: dict[str, type], env_var: str, database_file: str, overrides) -> dict:
    """Settings of the class named by `env_var` (default "dev"), then `overrides`.

    An empty DATABASE_URL means an SQLite file `database_file` in the instance folder; an
    empty SECRET_KEY (production without one) is refused.
    """
    overrides = overrides or {}
    name = overrides.get("ENV_NAME") or os.environ.get(env_var, "dev")
    if name not in configs:
        raise ValueError(f"{env_var} must be one of {sorted(configs)}, not {name!r}")
    cls = configs[name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings.update(overrides)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{settings['INSTANCE_PATH']}/{database_file}"
    if not settings["SECRET_KEY"]:
        raise ValueError(
            f"{env_var.removesuffix('_ENV')}_SECRET_KEY must be set outside dev and test"
        )
    return settings
