"""Every Indonesian text a page writes through `_()` has its English translation."""

import re
from importlib import resources

from scheduler.web.i18n import catalog

CALL = re.compile(r"""_\(\s*(["'])(.+?)\1\s*[,)]""", re.S)


def texts_in(source: str) -> set[str]:
    return {match.group(2) for match in CALL.finditer(source)}


def test_every_template_text_has_an_english_translation() -> None:
    english = catalog("en")
    folder = resources.files("scheduler.web").joinpath("templates")
    missing: dict[str, list[str]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".html"):
            lacking = sorted(t for t in texts_in(entry.read_text(encoding="utf-8"))
                             if t not in english)
            if lacking:
                missing[entry.name] = lacking
    assert not missing, missing


def test_every_route_text_has_an_english_translation() -> None:
    english = catalog("en")
    folder = resources.files("scheduler.web")
    sources = [folder.joinpath("server.py"), folder.joinpath("context.py"),
               *(e for e in folder.joinpath("routes").iterdir() if e.name.endswith(".py"))]
    missing = {s.name: sorted(t for t in texts_in(s.read_text(encoding="utf-8"))
                              if t not in english) for s in sources}
    assert not {k: v for k, v in missing.items() if v}
