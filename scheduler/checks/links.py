"""A post that cites a page of unofficial counts (Sirekap, a quick count) must say that
they are not the official result (content/links.yaml `unofficial_note`; PKPU 9/2022
Pasal 19(5) asks the same of quick-count publishers)."""

from collections.abc import Mapping

from scheduler.content.model import Link

# Any of these in the text counts as saying so; the link's own note is the suggestion.
DISCLAIMERS = ("bukan hasil resmi", "tidak resmi", "bukan merupakan hasil resmi")


def unofficial_links(text: str, links: Mapping[str, Link]) -> list[Link]:
    """The unofficial-count pages `text` cites without saying they are not official."""
    cited = [link for link in links.values() if link.unofficial_note and _host(link.url) in text]
    if not cited:
        return []
    folded = text.casefold()
    if any(phrase in folded for phrase in DISCLAIMERS):
        return []
    return cited


def _host(url: str) -> str:
    """The address without its scheme: a post may cite it either way."""
    return url.split("://", 1)[-1].rstrip("/")
