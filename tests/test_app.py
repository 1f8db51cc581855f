"""The application object: built in one place, nothing done until a part is used."""

from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from scheduler.app import create_app
from scheduler.config import Settings
from scheduler.errors import SiarError
from scheduler.migrate import upgrade_database
from scheduler.models import Region


def test_creating_the_application_touches_nothing(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    assert not (tmp_path / "siar.db").exists()
    assert "catalog" not in app.__dict__
    with pytest.raises(SiarError, match="siar init"):
        app.engine  # noqa: B018  (the property refuses an unprepared database)
    app.close()


def test_a_unit_of_work_reads_unless_asked_to_write(settings: Settings, clock) -> None:
    app = create_app(settings, clock=clock)
    upgrade_database(app.raw_engine)
    region = Region(key="r", name="R", area="A", kind="kota", province_key="r", website="w",
                    hashtag="#R", timezone="Asia/Jakarta", synced_at=clock.now())
    with pytest.raises(DBAPIError), app.unit_of_work() as session:
        session.add(region)
    with app.unit_of_work(write=True) as session:
        session.add(region)
    with app.unit_of_work() as session:
        assert session.get(Region, "r") is not None
    assert app.clock is clock
    assert len(app.catalog.regions) == 3
    app.close()
