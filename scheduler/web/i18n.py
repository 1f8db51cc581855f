"""Indonesian first, English on request. Templates and routes write Indonesian text and
wrap it in `_()`; `lang/en/*.json` map it to English (one file per page, merged)."""

import json
from functools import cache
from importlib import resources

LANGUAGES = ("id", "en")
DEFAULT = "id"


@cache
def catalog(lang: str) -> dict[str, str]:
    if lang == DEFAULT:
        return {}
    merged: dict[str, str] = {}
    folder = resources.files("scheduler.web").joinpath("lang", lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            merged.update(json.loads(entry.read_text(encoding="utf-8")))
    return merged


def translator(lang: str) -> "Translate":
    return Translate(catalog(lang if lang in LANGUAGES else DEFAULT))


class Translate:
    def __init__(self, table: dict[str, str]) -> None:
        self._table = table

    def __call__(self, text: str, **values: object) -> str:
        out = self._table.get(text, text)
        return out.format(**values) if values else out
