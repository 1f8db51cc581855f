"""The sandbox's quick attribute lookup on a dict answers exactly as Jinja's sandbox
does: items by name, a dict's own methods as methods, private names refused, a missing
name undefined (an error under StrictUndefined)."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from scheduler.rendering import make_environment

NAMES = ["name", "items", "keys", "get", "update", "pop", "__class__", "_private", "tidak_ada",
         "copy", "fromkeys", "__len__", "mro"]


def test_a_dict_answers_as_jinjas_own_sandbox(tmp_path: Path) -> None:
    ours = make_environment(tmp_path, ZoneInfo("Asia/Jakarta"))
    jinja = ImmutableSandboxedEnvironment(undefined=ours.undefined)
    value = {"name": "KPU Kota Blitar", "items": "barang", "_private": 1, "update": 2}
    for name in NAMES:
        mine, theirs = ours.getattr(value, name), jinja.getattr(value, name)
        assert type(mine) is type(theirs), name
        if not isinstance(theirs, ours.undefined):
            assert mine == theirs, name


def test_a_template_reads_items_and_refuses_what_it_should(tmp_path: Path) -> None:
    env = make_environment(tmp_path, ZoneInfo("Asia/Jakarta"))
    region = {"name": "KPU Kota Blitar", "keys": "kunci"}
    assert env.from_string("{{ r.name }} {{ r['keys'] }}").render(r=region) == \
        "KPU Kota Blitar kunci"
    assert env.from_string("{{ r.keys() | list }}").render(r=region) == "['name', 'keys']"
    with pytest.raises(UndefinedError):
        env.from_string("{{ r.tidak_ada }}").render(r=region)
    with pytest.raises(SecurityError):  # mutating a given dict: refused
        env.from_string("{{ r.update({'name': 'x'}) }}").render(r=region)
