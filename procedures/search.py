"""Catalogue search that ignores Vietnamese diacritics: "dang ky ket hon" finds
"Đăng ký kết hôn"."""

from __future__ import annotations

import functools
import unicodedata

from procedures.schema import Procedure

LEVEL_LABELS = {"commune": "Cấp xã", "province": "Cấp tỉnh"}


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, without tone marks or diacritics; đ becomes d."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(
    procedures: list[Procedure],
    query: str = "",
    *,
    level: str | None = None,
    field: str | None = None,
) -> list[Procedure]:
    """Procedures whose code, name or field contain every word of `query`, sorted by name."""
    words = fold(query).split()
    found = []
    for proc in procedures:
        if level and proc.level != level:
            continue
        if field and proc.field != field:
            continue
        haystack = fold(f"{proc.code} {proc.name} {proc.field}")
        if all(w in haystack for w in words):
            found.append(proc)
    # Name matches first, then alphabetical by the folded name.
    return sorted(found, key=lambda p: (not all(w in fold(p.name) for w in words), fold(p.name)))


def fields_of(procedures: list[Procedure]) -> list[str]:
    return sorted({p.field for p in procedures}, key=fold)
