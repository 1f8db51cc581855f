"""This database's identity, made once by the migration that `siar init` runs."""

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db import session_scope
from scheduler.errors import SiarError
from scheduler.models import Instance


def instance_id(engine: Engine) -> str:
    with session_scope(engine, write=False) as session:
        row = session.exec(select(Instance)).first()
    if row is None:
        raise SiarError("basis data tanpa identitas instans: jalankan `siar init`")
    return row.id
