"""Whether a post listed by X is the text we sent.

X gives a post's `text` back with every URL replaced by a t.co link, a trailing t.co
link for attached media, and `&`, `<`, `>` escaped as HTML entities; `entities.urls`
maps each t.co link to what was written. Comparing the raw text would call every post
with a URL "absent" and send it again, so the listed text is read back into ours first.
A t.co link that cannot be read back makes the answer MAYBE, never NO.
"""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from scheduler.adapters.lookup import Match, normalize

TCO_LINK = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
ESCAPED = re.compile(r"&(amp|lt|gt);")
UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}
MEDIA_HOSTS = ("pic.x.com/", "pic.twitter.com/")
SCHEMES = ("https://", "http://")
UNKNOWN_LINK = r"\S+"  # stands for a link we cannot read back


Forms = tuple[str, ...]  # how a link may have been written; empty: unknown


def match_post(post: Mapping[str, Any], wanted: str) -> Match:
    """YES if `post` (an X post object with `text` and `entities`) is `wanted`; MAYBE
    if it could be, but one of its links cannot be read back."""
    text = post.get("text")
    if not isinstance(text, str):
        return Match.MAYBE
    literals, links = _split(text, _links_by_tco(post.get("entities")))
    pattern = re.escape(literals[0]) + "".join(
        _link_pattern(forms) + re.escape(literal) for forms, literal in zip(
            links, literals[1:], strict=True))
    if re.fullmatch(pattern, normalize(wanted)) is None:
        return Match.NO
    return Match.YES if all(links) else Match.MAYBE


def _links_by_tco(entities: object) -> dict[str, Mapping[str, Any]]:
    """The URL entities by their t.co link. Their indices are not needed (the link itself
    stands in the text) and not trusted (they count characters in their own way)."""
    urls = entities.get("urls") if isinstance(entities, Mapping) else None
    if not isinstance(urls, list):
        return {}
    return {str(u["url"]): u for u in urls if isinstance(u, Mapping) and u.get("url")}


def _split(text: str, entities: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[Forms]]:
    """The listed text as literal pieces (unescaped, NFC) around its links, with X's
    trailing media link dropped and the ends stripped as `normalize` strips ours;
    there is always one literal more than links."""
    literals: list[str] = []
    links: list[Forms] = []
    position, found = 0, list(TCO_LINK.finditer(text))
    for index, link in enumerate(found):
        literals.append(_plain(text[position:link.start()]))
        position = link.end()
        entity = entities.get(link.group())
        if entity is not None and _is_media(entity):
            if index == len(found) - 1 and not text[position:].strip():
                break  # X's own link to the attached image: not part of our text
            entity = None  # a media link elsewhere: X never writes one there
        links.append(_written_forms(entity))
    else:
        literals.append(_plain(text[position:]))
    literals[0] = literals[0].lstrip()
    literals[-1] = literals[-1].rstrip()
    return literals, links


def _plain(segment: str) -> str:
    return unicodedata.normalize("NFC", ESCAPED.sub(lambda m: UNESCAPED[m[1]], segment))


def _link_pattern(forms: tuple[str, ...]) -> str:
    return "(?:" + "|".join(map(re.escape, forms)) + ")" if forms else UNKNOWN_LINK


def _is_media(entity: Mapping[str, Any]) -> bool:
    display = str(entity.get("display_url") or "")
    return bool(entity.get("media_key")) or display.startswith(MEDIA_HOSTS)


def _written_forms(entity: Mapping[str, Any] | None) -> tuple[str, ...]:
    """How the author may have written the link X expanded (none: unknown). X adds
    "http://" to a bare domain (cekdptonline.kpu.go.id), so the form without scheme
    counts too."""
    expanded = entity.get("expanded_url") if entity is not None else None
    if not isinstance(expanded, str) or not expanded:
        return ()
    forms = [expanded]
    forms += [expanded[len(s):] for s in SCHEMES if expanded.startswith(s)]
    return tuple(forms)
