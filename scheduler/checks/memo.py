"""Checks memoised on identical inputs, for planning: tens of thousands of posts share a
few thousand distinct texts, and the calendar's answer is the same for every post of one
region, day and template.

The keys are exactly what each kind of check declares it reads (scheduler.checks.registry:
CONTENT checks by text, platform, image and description; TEXT checks by the text and the
description alone (one answer for every platform); CALENDAR checks by region, day,
template, election and stage; PARTNERS checks only when the text names a partner, looked
up once per text; POST checks every time): the same inputs give the same problems, so the
memo never changes a result, only how often it is computed. One memo serves one planning
run (one catalog, one set of settings).
"""

from typing import TypeVar

from scheduler.checks.drafts import CheckSettings, PostDraft, PostProblem
from scheduler.checks.partners import partners_named
from scheduler.checks.registry import (
    CALENDAR,
    CONTENT,
    PARTNERS,
    PLANNING,
    POST,
    TEXT,
    run_checks,
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
        """The problems of the checks that run at planning (scheduler.checks.registry),
        grouped by what they read: content, text, calendar, partners, then the rest."""
        key = (draft.text, draft.platform, draft.image, draft.image_alt)
        content = self._content.get(key)
        if content is None:
            content = _remember(self._content, key, self._run(draft, CONTENT))
        # The same text on several platforms: what reads only the words is found once.
        words_key = (draft.text, draft.image_alt)
        words = self._words.get(words_key)
        if words is None:
            words = _remember(self._words, words_key, self._run(draft, TEXT))
        when = self._date_key(draft)
        dates = self._dates.get(when)
        if dates is None:
            dates = _remember(self._dates, when, self._run(draft, CALENDAR))
        partners = self._run(draft, PARTNERS) if self._partners_in(draft.text) else []
        return content + words + dates + partners + self._run(draft, POST)

    def _run(self, draft: PostDraft, reads: str) -> list[PostProblem]:
        return run_checks(draft, self.catalog, self.settings, stage=PLANNING, reads=(reads,))

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
