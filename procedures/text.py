"""Vietnamese text as the search compares it: no case, no diacritics, đ as d."""

from __future__ import annotations

import functools
import re
import unicodedata

# A word, or a procedure code such as 1.001193 (digits joined by dots).
WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, without tone marks or diacritics; đ becomes d."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_words(text: str) -> tuple[str, ...]:
    """The folded words of `text`; anything but Latin letters and digits separates them."""
    return tuple(WORD.findall(fold(text)))
