"""Checks memoised on identical inputs, for planning: tens of thousands of posts share a
few thousand distinct texts, and the calendar's answer is the same for every post of one
region, day and template.

The keys are exactly what each half of check_post reads (see content_problems and
date_problems in scheduler.checks.post_checks; the partners a text names are looked
up once per text, and their MoU checked only when it names one): the same inputs give
the same problems, so the memo never changes a result, only how often it is computed. One memo
serves one planning run (one catalog, one set of settings).
"""

from typing import TypeVar

from scheduler.checks.drafts import PostDraft, PostProblem
from scheduler.checks.partners import partner_problems, partners_named
from scheduler.checks.post_checks import (
    CheckSettings,
    date_problems,
    image_alt_problems,
    length_problems,
    link_problems,
    neutrality_problems,
)
from scheduler.content.model import Catalog

ContentKey = tuple[str, str, str | None, str | None]
DateKey = tuple[object, ...]
K = TypeVar("K")
V = TypeVar("V")
LIMIT = 5_000  # answers remembered of each kind (memory stays flat; hits are recent)


class CheckMemo:
    """check_post for one catalog and settings, remembering its answers (at most LIMIT of
    each kind: a national plan's memory stays flat)."""

    def __init__(self, catalog: Catalog, settings: CheckSettings) -> None:
        self.catalog = catalog
        self.settings = settings
        self._content: dict[ContentKey, list[PostProblem]] = {}
        # The text's own checks, the same on every platform (the texts of Facebook and
        # Telegram are often one text).
        self._words: dict[tuple[str, str | None], list[PostProblem]] = {}
        self._dates: dict[DateKey, list[PostProblem]] = {}
        self._named: dict[str, tuple[str, ...]] = {}  # text -> the partners it names

    def check(self, draft: PostDraft) -> list[PostProblem]:
        """The same problems as check_post(draft, catalog, settings)."""
        key = (draft.text, draft.platform, draft.image, draft.image_alt)
        content = self._content.get(key)
        if content is None:
            content = _remember(self._content, key, self._content_problems(draft))
        when = self._date_key(draft)
        dates = self._dates.get(when)
        if dates is None:
            dates = _remember(self._dates, when, date_problems(
                draft, self.catalog, self.settings.releases))
        if not self._partners_in(draft.text):
            return content + dates
        return content + dates + partner_problems(draft, self.catalog)

    def _content_problems(self, draft: PostDraft) -> list[PostProblem]:
        """content_problems(draft, catalog, settings), in its order, with the checks that
        read only the text and the image's description remembered across platforms."""
        problems = length_problems(draft, self.settings)
        problems += image_alt_problems(draft.image, draft.image_alt)
        key = (draft.text, draft.image_alt)
        words = self._words.get(key)
        if words is None:
            words = _remember(self._words, key, neutrality_problems(
                draft.text, self.catalog, draft.image_alt) + link_problems(
                draft.text, self.catalog))
        return problems + words

    def _date_key(self, draft: PostDraft) -> DateKey:
        catalog = self.catalog
        region = catalog.regions.get(draft.region_key)
        zone = region.timezone if region else next(iter(catalog.elections.values())).timezone
        info = catalog.templates.get(draft.template) if draft.template else None
        # A results post is held until an instant; the rest depends on the local day only.
        when: object = (draft.scheduled_at if info is not None and info.results
                        else draft.scheduled_at.astimezone(zone).date())
        return (draft.region_key, when, draft.template, draft.election_key, draft.stage_key)

    def _partners_in(self, text: str) -> tuple[str, ...]:
        """The partners the text names (partner_problems has something to say only then)."""
        if not self.catalog.partners or not text:
            return ()
        named = self._named.get(text)
        if named is None:
            named = _remember(self._named, text, tuple(
                p.key for p in partners_named(text, self.catalog.partners)))
        return named


def _remember(memo: dict[K, V], key: K, value: V) -> V:
    """memo[key] = value, the memo emptied first when full (memory stays flat)."""
    if len(memo) >= LIMIT:
        memo.clear()
    memo[key] = value
    return value
