"""Checks memoised on identical inputs, for planning: tens of thousands of posts share a
few thousand distinct texts, and the calendar's answer is the same for every post of one
region, day and template.

The keys are exactly what each half of check_post reads (see content_problems and
calendar_problems in scheduler.checks.post_checks): the same inputs give the same
problems, so the memo never changes a result, only how often it is computed. One memo
serves one planning run (one catalog, one set of settings).
"""

from scheduler.checks.drafts import PostDraft, PostProblem
from scheduler.checks.post_checks import CheckSettings, calendar_problems, content_problems
from scheduler.content.model import Catalog

ContentKey = tuple[str, str, str | None, str | None]
CalendarKey = tuple[object, ...]


class CheckMemo:
    """check_post for one catalog and settings, remembering its answers."""

    def __init__(self, catalog: Catalog, settings: CheckSettings) -> None:
        self.catalog = catalog
        self.settings = settings
        self._content: dict[ContentKey, list[PostProblem]] = {}
        self._calendar: dict[CalendarKey, list[PostProblem]] = {}

    def check(self, draft: PostDraft) -> list[PostProblem]:
        """The same problems as check_post(draft, catalog, settings)."""
        key = (draft.text, draft.platform, draft.image, draft.image_alt)
        content = self._content.get(key)
        if content is None:
            content = self._content[key] = content_problems(draft, self.catalog,
                                                            self.settings)
        when = self._calendar_key(draft)
        calendar = self._calendar.get(when)
        if calendar is None:
            calendar = self._calendar[when] = calendar_problems(draft, self.catalog,
                                                                self.settings.releases)
        return content + calendar

    def _calendar_key(self, draft: PostDraft) -> CalendarKey:
        catalog = self.catalog
        region = catalog.regions.get(draft.region_key)
        zone = region.timezone if region else next(iter(catalog.elections.values())).timezone
        info = catalog.templates.get(draft.template) if draft.template else None
        # A results post is held until an instant; the rest depends on the local day only.
        when: object = (draft.scheduled_at if info is not None and info.results
                        else draft.scheduled_at.astimezone(zone).date())
        # Partners are found in the text; without partners the text plays no part.
        text = draft.text if catalog.partners else None
        return (draft.region_key, when, draft.template, draft.election_key, draft.stage_key,
                text)
