"""Catalogue search that understands what people type: no diacritics ("dang ky ket hon"),
abbreviations and everyday words (bhyt, cccd, "giấy độc thân": procedures/search_synonyms.toml),
joined words ("khaisinh"), typos ("khai snh", rapidfuzz), procedure codes ("1.001193").

The index is built once per process from the static catalogue (`SearchIndex`); a query is then
a few set look-ups. Ranking: a procedure code; the query's exact phrase in the name; all its
words in the name; then in the field or result (the description); a typo-corrected word ranks
below an exact one; equal matches by popularity (the synonyms file's `popular`), then name.
When nothing matches: the closest names ("Có phải bạn muốn tìm …") and the popular procedures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from procedures.loader import CatalogueError
from procedures.schema import Procedure
from procedures.search_schema import HERE, SearchData, load_search_data
from procedures.text import fold, fold_words

__all__ = ["LEVEL_LABELS", "Outcome", "SearchIndex", "build_index", "fields_of", "fold"]

LEVEL_LABELS = {"commune": "Cấp xã", "province": "Cấp tỉnh"}
MAX_QUERY = 100  # characters kept of a query
POPULAR_SHOWN = 6
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 60  # rapidfuzz token_set_ratio of the query against a name, out of 100
# Words too common in names to make one a suggestion by themselves.
GENERIC = frozenset({"dang", "ky", "cap", "giay", "cho", "lai", "the", "nguoi", "tu", "ban"})
CODE_LIKE = re.compile(r"^\d\.\d*$|^\d{3,6}$")  # 1.001193, 1.0011, 001193
# Drawn from no real query: control characters, invisible formatting.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

TOO_SHORT = "Hãy gõ ít nhất 2 chữ cái hoặc chữ số, ví dụ: khai sinh, căn cước, 1.001193."
NO_LETTERS = (
    "Không tìm được theo từ khóa này. Hãy gõ tên thủ tục bằng tiếng Việt, có dấu hoặc không "
    "dấu, ví dụ: dang ky khai sinh."
)
TRUNCATED = f"Từ khóa quá dài: chỉ dùng {MAX_QUERY} ký tự đầu."


@dataclass(frozen=True)
class Outcome:
    """What a search shows: the results, or what to say and offer when there are none."""

    query: str  # the query as used (cleaned, at most MAX_QUERY characters)
    results: list[Procedure]
    notes: list[str] = field(default_factory=list)  # Vietnamese, for the page
    not_offered: str | None = None  # the name of a procedure the portal does not offer
    suggestions: list[Procedure] = field(default_factory=list)  # "Có phải bạn muốn tìm …"
    popular: list[Procedure] = field(default_factory=list)  # offered when nothing is found


@dataclass(frozen=True)
class _Entry:
    proc: Procedure
    name: tuple[str, ...]  # folded words of the name (the title)
    name_text: str  # " ".join(name), for phrase look-ups
    name_words: frozenset[str]
    words: frozenset[str]  # name, field and result words (title and description)
    rank: int  # popularity: 0 is the most asked


def clean(query: str) -> tuple[str, list[str]]:
    """The query without control characters and spare spaces, cut to MAX_QUERY characters,
    and a note when it was cut."""
    text = " ".join(_INVISIBLE.sub(" ", query).split())
    if len(text) > MAX_QUERY:
        return text[:MAX_QUERY].rstrip(), [TRUNCATED]
    return text, []


class SearchIndex:
    """The catalogue's words, phrases and synonyms, folded once; `find` answers a query."""

    def __init__(self, procedures: list[Procedure], data: SearchData) -> None:
        known = {p.code for p in procedures}
        unknown = [c for c in data.popular if c not in known]
        if unknown:
            raise CatalogueError(f"search_synonyms.toml: popular: not in the catalogue: {unknown}")
        rank = {code: i for i, code in enumerate(data.popular)}
        self.entries: list[_Entry] = []
        counts: Counter[str] = Counter()
        for proc in sorted(procedures, key=lambda p: fold(p.name)):
            name = fold_words(proc.name)
            words = frozenset(name + fold_words(proc.field) + fold_words(proc.result.name))
            counts.update(words)
            self.entries.append(
                _Entry(
                    proc,
                    name,
                    " ".join(name),
                    frozenset(name),
                    words,
                    rank.get(proc.code, len(rank)),
                )
            )
        catalogue_words = set(counts)
        self.synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for syn in data.synonyms:
            means = fold_words(syn.means)
            missing = sorted(set(means) - catalogue_words)
            if missing:
                raise CatalogueError(
                    f"search_synonyms.toml: means {syn.means!r}: no procedure has {missing}"
                )
            for phrase in syn.phrases:
                self.synonyms[fold_words(phrase)] = means
        self.not_offered = {fold_words(p): n.name for n in data.not_offered for p in n.phrases}
        self.stop_words = {fold_words(s) for s in data.stop_words}
        phrases = [*self.synonyms, *self.not_offered, *self.stop_words]
        self.longest = max((len(p) for p in phrases), default=1)
        # Words a query may use: the catalogue's, and those of the phrases people type.
        self.frequency = counts + Counter(w for p in phrases for w in p)
        self.vocabulary = sorted(self.frequency)
        self.popular = [e.proc for e in sorted(self.entries, key=lambda e: e.rank)][:POPULAR_SHOWN]
        self.names = {e.name_text: e.proc for e in self.entries}

    # -- the query's words -----------------------------------------------------------------

    def _split(self, word: str) -> list[str] | None:
        """A joined word cut into the fewest known words of 2+ letters ("khaisinh")."""
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(2, len(word) + 1):
            for start in range(0, end - 1):
                head = best[start]
                piece = word[start:end]
                if head is not None and piece in self.frequency:
                    candidate = [*head, piece]
                    current = best[end]
                    if current is None or len(candidate) < len(current):
                        best[end] = candidate
        found = best[len(word)]
        return found if found and len(found) > 1 else None

    def _correct(self, word: str) -> str | None:
        """The known word closest to a mistyped one, or None when none is close enough."""
        if len(word) < 3 or word.isdigit():
            return None
        cutoff = 80 if len(word) == 3 else 75
        found = process.extract(
            word, self.vocabulary, scorer=fuzz.ratio, limit=5, score_cutoff=cutoff
        )
        if not found:
            return None
        return max(found, key=lambda f: (f[1], self.frequency[f[0]]))[0]

    def _words(self, words: tuple[str, ...]) -> tuple[list[str], set[int]]:
        """Joined words split and typos corrected; the positions of corrected words."""
        out: list[str] = []
        fuzzy: set[int] = set()
        for word in words:
            if word in self.frequency or CODE_LIKE.match(word):
                out.append(word)
            elif (pieces := self._split(word)) is not None:
                out.extend(pieces)
            elif (fixed := self._correct(word)) is not None:
                fuzzy.add(len(out))
                out.append(fixed)
            else:
                out.append(word)
        return out, fuzzy

    def _phrases(
        self, words: list[str], fuzzy: set[int], table: dict[tuple[str, ...], tuple[str, ...]]
    ) -> tuple[list[str], set[int]]:
        """Phrases of `table` replaced by what they stand for, the longest first."""
        out: list[str] = []
        marks: set[int] = set()
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                key = tuple(words[i : i + size])
                if key in table:
                    if any(j in fuzzy for j in range(i, i + size)):
                        marks.update(range(len(out), len(out) + len(table[key])))
                    out.extend(table[key])
                    i += size
                    break
            else:
                if i in fuzzy:
                    marks.add(len(out))
                out.append(words[i])
                i += 1
        return out, marks

    def _drop_stop_words(self, words: list[str], fuzzy: set[int]) -> tuple[list[str], set[int]]:
        out: list[str] = []
        marks: set[int] = set()
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                if tuple(words[i : i + size]) in self.stop_words:
                    i += size
                    break
            else:
                if i in fuzzy:
                    marks.add(len(out))
                out.append(words[i])
                i += 1
        return (out, marks) if out else (words, fuzzy)

    def _contains(self, words: list[str], table: dict[tuple[str, ...], str]) -> str | None:
        for size in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                if (found := table.get(tuple(words[i : i + size]))) is not None:
                    return found
        return None

    # -- matching --------------------------------------------------------------------------

    @staticmethod
    def _has(words: frozenset[str], word: str, known: bool) -> bool:
        """A known word must be there as it is; another (a word begun) may start one."""
        if word in words:
            return True
        return not known and len(word) >= 2 and any(w.startswith(word) for w in words)

    def _score(self, entry: _Entry, words: list[str], fuzzy: set[int]) -> tuple | None:
        """The sort key of a matching procedure (lower first), or None if it does not match."""
        in_name = True
        for word in words:
            known = word in self.frequency
            if self._has(entry.name_words, word, known):
                continue
            if not self._has(entry.words, word, known):
                return None
            in_name = False
        phrase = f" {' '.join(words)} " in f" {entry.name_text} "
        return (
            not in_name,  # title above description
            bool(fuzzy),  # exact above typo-corrected
            not phrase,  # the exact phrase above scattered words
            entry.rank,  # then popularity
            len(entry.name),  # the shorter name, nearer the query
            entry.name_text,
        )

    def _by_code(self, words: list[str]) -> list[Procedure]:
        codes = [w for w in words if CODE_LIKE.match(w)]
        if len(codes) != len(words):
            return []
        return [e.proc for e in self.entries if all(c in e.proc.code for c in codes)]

    def _suggest(self, words: list[str], fuzzy: set[int]) -> list[Procedure]:
        """The names closest to the query that share a telling word (not a typo's guess)."""
        telling = {w for i, w in enumerate(words) if i not in fuzzy} - GENERIC
        found = process.extract(
            " ".join(words),
            [e.name_text for e in self.entries if telling & e.name_words],
            scorer=fuzz.token_set_ratio,
            limit=SUGGESTIONS,
            score_cutoff=SUGGESTION_CUTOFF,
        )
        return [self.names[name] for name, _score, _i in found]

    def find(self, query: str, *, level: str | None = None, field: str | None = None) -> Outcome:
        """The procedures `query` asks for, filtered by `level` and `field`."""
        text, notes = clean(query)
        entries = [
            e
            for e in self.entries
            if (level is None or e.proc.level == level) and (field is None or e.proc.field == field)
        ]
        if not text:
            return Outcome(text, [e.proc for e in entries], notes)
        raw = fold_words(text)
        if not raw:
            return self._nothing(text, [*notes, NO_LETTERS], suggest=False)
        if sum(len(w) for w in raw) < 2:
            return self._nothing(text, [*notes, TOO_SHORT], suggest=False)
        if (name := self._contains(list(raw), self.not_offered)) is not None:
            return self._nothing(text, notes, not_offered=name, suggest=False)
        by_code = self._by_code(list(raw))
        if by_code:
            allowed = {e.proc.code for e in entries}
            return self._found(text, [p for p in by_code if p.code in allowed], notes)
        words, fuzzy = self._words(raw)
        if (name := self._contains(words, self.not_offered)) is not None:
            return self._nothing(text, notes, not_offered=name, suggest=False)
        words, fuzzy = self._phrases(words, fuzzy, self.synonyms)
        words, fuzzy = self._drop_stop_words(words, fuzzy)
        scored = [(key, e.proc) for e in entries if (key := self._score(e, words, fuzzy))]
        results = [proc for _key, proc in sorted(scored, key=lambda s: s[0])]
        if results:
            return self._found(text, results, notes)
        return self._nothing(text, notes, words=words, fuzzy=fuzzy)

    def _found(self, text: str, results: list[Procedure], notes: list[str]) -> Outcome:
        """The results, or what to offer when the filters left none."""
        if results:
            return Outcome(text, results, notes)
        return self._nothing(text, notes, suggest=False)

    def _nothing(
        self,
        text: str,
        notes: list[str],
        *,
        not_offered: str | None = None,
        suggest: bool = True,
        words: list[str] | None = None,
        fuzzy: set[int] | None = None,
    ) -> Outcome:
        suggestions = self._suggest(words or [], fuzzy or set()) if suggest else []
        return Outcome(text, [], notes, not_offered, suggestions, self.popular)


def build_index(
    procedures: list[Procedure], path: Path = HERE / "search_synonyms.toml"
) -> SearchIndex:
    """The index of `procedures` with the synonyms file at `path` (validated)."""
    return SearchIndex(procedures, load_search_data(path))


def fields_of(procedures: list[Procedure]) -> list[str]:
    return sorted({p.field for p in procedures}, key=fold)
