"""Finding terms in a text the way people mean them: whole words, case- and
accent-insensitive (neutrality terms, partners' names)."""

import re
import unicodedata
from functools import lru_cache
from typing import Any

from scheduler.content.model import NeutralTerm

_COMBINING_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Pilkāda' and 'PILKADA' both become 'pilkada'.
    Remembered for a few texts: several checks read the same post, and a rule's alt text
    is the same for every account."""
    if text.isascii():
        return text.casefold()
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


_PATTERNS: dict[int, tuple[tuple[NeutralTerm, ...], re.Pattern[str] | None]] = {}


def terms_pattern(terms: tuple[NeutralTerm, ...]) -> re.Pattern[str] | None:
    """The compiled pattern of a catalog's terms, looked up by identity (hashing ninety
    terms for every planned post would cost more than the match)."""
    cached = _PATTERNS.get(id(terms))
    if cached is None or cached[0] is not terms:
        cached = _PATTERNS[id(terms)] = (terms, _neutrality_pattern(tuple(t.term for t in terms)))
    return cached[1]


def neutral_terms_in(text: str, terms: tuple[NeutralTerm, ...]) -> list[str]:
    """The neutrality terms (parties, candidates, campaign teams) `text` contains."""
    pattern = terms_pattern(terms)
    if pattern is None:
        return []
    found = {" ".join(m.group(0).split()) for m in pattern.finditer(fold(text))}
    return sorted(t.term for t in terms if " ".join(fold(t.term).split()) in found)


@lru_cache(maxsize=8)
def _neutrality_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression for every term, shaped as a trie: at each position the engine
    compares one character per branch instead of trying ninety-odd terms one by one (this
    runs for every planned post)."""
    if not terms:
        return None
    trie: dict[str, Any] = {}
    for term in {" ".join(fold(t).split()) for t in terms}:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a term
    return re.compile(rf"(?<!\w){_trie_regex(trie)}(?!\w)")


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [(r"\s+" if char == " " else re.escape(char)) + _trie_regex(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body  # a term may end here
