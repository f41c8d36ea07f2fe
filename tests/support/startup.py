"""What every app a test builds would read and compile at start-up, done once per process.

Hundreds of tests each build a portal or a provider; most of what building one cost was
the same work every time:
- the portal's catalogue (each procedure's TOML, validated) and service index, which the
  apps only read: read once (`functools.cache` on the names create_app calls);
- the templates: jinja's compiled code is shared by every app's environment (and checked
  against the template's source, as jinja's own bytecode caches do);
- the URL rules: werkzeug compiles a URL builder for every rule of every app (two Python
  functions, through `ast` and `compile`: two thirds of building a portal); a builder is
  a function of the rule's text, its parsed parts and its defaults, so one compiled for an
  equal rule is reused.
"""

from __future__ import annotations

import functools

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import rules

import portal

portal.load_catalogue = functools.cache(portal.load_catalogue)  # type: ignore[attr-defined]
portal.load_service_index = functools.cache(portal.load_service_index)  # type: ignore[attr-defined]


class _SharedBytecode(BytecodeCache):
    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_bytecode = _SharedBytecode()
_create_jinja_environment = Flask.create_jinja_environment


def _jinja_environment(app: Flask):  # noqa: ANN202 - Flask's Environment
    env = _create_jinja_environment(app)
    env.bytecode_cache = _bytecode
    return env


Flask.create_jinja_environment = _jinja_environment  # type: ignore[method-assign]

_compile_builder = rules.Rule._compile_builder
_builders: dict[tuple, object] = {}


def _shared_builder(self: rules.Rule, append_unknown: bool = True):  # noqa: ANN202
    key = (
        append_unknown,
        self.rule,
        self.host if self.map.host_matching else self.subdomain,
        tuple(self._trace),
        repr(sorted((self.defaults or {}).items())),
        tuple((name, type(c), _settings(c)) for name, c in sorted(self._converters.items())),
    )
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


def _settings(converter: object) -> str:
    return repr(sorted((k, v) for k, v in vars(converter).items() if k != "map"))


rules.Rule._compile_builder = _shared_builder  # type: ignore[method-assign]
