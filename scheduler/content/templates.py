"""Post templates as content: the files of templates/posts/ and what their front matter
says (ground: read when the catalog loads; compiling and rendering them is
scheduler.rendering's work).

A template may open with a front-matter comment:

    {#---
    title: Ajakan cek DPT online
    quiet_period_safe: true
    alt: Kartu informasi berlatar hijau bertuliskan "Cek DPT Online".
    ---#}

`alt` describes the rule's image for screen readers (plain text, not Jinja); a rule's own
`image_alt` wins over it, and content/media/alt.yaml describes an image that neither does.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.content.yamlsource import parse_text
from scheduler.errors import Problem
from scheduler.platforms import MAX_ALT_TEXT, content_platforms
from scheduler.textfiles import MAX_TEMPLATE_BYTES, TextFileError, read_text

POSTS_DIR = "posts"
_FRONT_MATTER = re.compile(r"\A\{#-?-{3}\s*\n(.*?)\n-{3}-?#\}\s*\n?", re.DOTALL)


@dataclass(frozen=True)
class TemplateInfo:
    """A post template and what its front matter says about it."""

    name: str
    title: str
    quiet_period_safe: bool = False
    voting_day_safe: bool = False
    results: bool = False
    variants: Mapping[str, str] = field(default_factory=dict)  # platform -> file name
    default_file: str | None = None
    alt: str | None = None  # the image's description (alt text), from the front matter

    def file_for(self, platform: str) -> str:
        chosen = self.variants.get(platform, self.default_file)
        if chosen is None:  # only variants exist and none is for this platform
            raise LookupError(f"templat {self.name!r} tidak punya versi untuk {platform}")
        return chosen


def scan_templates(templates_dir: Path) -> tuple[dict[str, TemplateInfo], list[Problem]]:
    """Find every post template and read its front matter."""
    posts = templates_dir / POSTS_DIR
    if not posts.is_dir():
        return {}, [Problem(str(posts), "folder templat tidak ada")]
    files: dict[str, dict[str, str]] = {}
    for path in sorted(posts.glob("*.j2")):
        stem = path.name[: -len(".j2")]
        name, _, platform = stem.partition(".")
        files.setdefault(name, {})[platform or ""] = f"{POSTS_DIR}/{path.name}"
    infos: dict[str, TemplateInfo] = {}
    problems: list[Problem] = []
    for name, by_platform in files.items():
        info, found = _template_info(templates_dir, name, by_platform)
        problems.extend(found)
        if info is not None:
            infos[name] = info
    return infos, problems


def _template_info(
    templates_dir: Path, name: str, by_platform: dict[str, str]
) -> tuple[TemplateInfo | None, list[Problem]]:
    platforms = content_platforms()
    default = by_platform.pop("", None)
    problems = [
        Problem(f"{templates_dir}/{path}", f"platform tidak dikenal: {platform!r}")
        for platform, path in by_platform.items() if platform not in platforms
    ]
    source_file = default or next(iter(by_platform.values()))
    where = f"{templates_dir}/{source_file}"
    try:
        text = read_text(templates_dir / source_file, MAX_TEMPLATE_BYTES)
    except TextFileError as exc:
        return None, [*problems, Problem(where, exc.message, exc.line)]
    except OSError as exc:
        return None, [*problems, Problem(where, f"tidak dapat dibaca: {exc.strerror}")]
    meta, meta_problems = parse_front_matter(text, where)
    if meta_problems:
        return None, [*problems, *meta_problems]
    allowed = {"title", "quiet_period_safe", "voting_day_safe", "results", "notes", "alt"}
    unknown = sorted(set(meta) - allowed)
    if unknown:
        problems.append(Problem(where, f"front matter tidak dikenal: {', '.join(unknown)}", 1))
    alt, alt_problem = _alt_text(meta.get("alt"))
    if alt_problem:
        problems.append(Problem(where, alt_problem, 1))
    info = TemplateInfo(
        name=name,
        title=str(meta.get("title", name)),
        quiet_period_safe=bool(meta.get("quiet_period_safe", False)),
        voting_day_safe=bool(meta.get("voting_day_safe", meta.get("quiet_period_safe", False))),
        results=bool(meta.get("results", False)),
        variants={p: f for p, f in by_platform.items() if p in platforms},
        default_file=default,
        alt=alt,
    )
    return info, problems


def _alt_text(value: Any) -> tuple[str | None, str | None]:
    """The front matter's `alt`: plain text within the platforms' limit, or a problem."""
    if value is None:
        return None, None
    if not isinstance(value, str) or not value.strip():
        return None, "front matter `alt` harus berupa teks deskripsi gambar yang tidak kosong"
    text = " ".join(value.split())
    if len(text) > MAX_ALT_TEXT:
        return None, (f"front matter `alt` terlalu panjang: {len(text)} karakter, paling "
                      f"banyak {MAX_ALT_TEXT}")
    return text, None


def parse_front_matter(text: str, where: str) -> tuple[dict[str, Any], list[Problem]]:
    """The front matter of a template's text (already without a byte-order mark), parsed
    with the content files' guards (an alias bomb is refused, never expanded)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, []
    doc, problems = parse_text(match.group(1), Path(where), where, first_line=2)
    if doc is None:
        return {}, problems
    meta = doc.data if doc.data is not None else {}
    if not isinstance(meta, dict):
        return {}, [Problem(where, "front matter harus berupa pemetaan (key: value)", 1)]
    wrong = [key for key in ("title", "notes") if key in meta and not isinstance(meta[key], str)]
    wrong += [key for key in ("quiet_period_safe", "voting_day_safe", "results")
              if key in meta and not isinstance(meta[key], bool)]
    if wrong:
        return {}, [Problem(where, "front matter: " + ", ".join(
            f"`{key}` harus berupa {'teks' if key in ('title', 'notes') else 'true/false'}"
            for key in wrong), 1)]
    return meta, []
