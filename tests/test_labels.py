"""What people read for stored values: Indonesian statuses, events and actors."""

from scheduler.labels import actor_label, event_label, status_label
from scheduler.models import PostStatus


def test_every_status_has_an_indonesian_label() -> None:
    for status in PostStatus:
        assert status_label(status.value) != status.value, status


def test_events_and_unknown_values() -> None:
    assert event_label("attempt") == "dikirim ke platform"
    assert event_label("something-new") == "something-new"
    assert status_label(None) == "-"


def test_a_worker_reads_as_pekerja_and_a_user_as_itself() -> None:
    assert actor_label("vm:3913:1795975565") == "pekerja (vm, pid 3913)"
    assert actor_label("planner") == "perencana"
    assert actor_label("rina.blitar") == "rina.blitar"
    assert actor_label("a:b:c") == "a:b:c"


def test_every_tag_of_the_shipped_calendars_has_an_indonesian_label() -> None:
    from pathlib import Path

    from scheduler.catalog import load_catalog
    from scheduler.labels import tag_label

    repo = Path(__file__).resolve().parent.parent
    catalog = load_catalog(repo / "content", repo / "templates")
    tags = {t for e in catalog.elections.values() for s in e.stages for t in s.tags}
    assert tags and all(tag_label(t) != t for t in tags), sorted(tags)
