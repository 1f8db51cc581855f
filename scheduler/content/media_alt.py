"""content/media/alt.yaml: a description (alt text) for each image in the media folder,
used when neither the rule (`image_alt`) nor its template (front matter `alt`) gives one.

    images:
      cek-dpt.jpg: Kartu informasi berlatar hijau bertuliskan "Cek DPT Online" ...

The file is optional. It lives with the content (SIAR_CONTENT_DIR/media/alt.yaml), next
to the shipped images; an office that replaces an image describes the new one here.
"""

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from scheduler.content.schema import Strict
from scheduler.content.yamlsource import read_yaml
from scheduler.errors import Problem
from scheduler.platforms import MAX_ALT_TEXT

ALT_FILE = Path("media") / "alt.yaml"

ImageName = Annotated[str, StringConstraints(pattern=r"^[^/\\]+\.(jpe?g|png|gif|webp)$")]


def _alt_text(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("deskripsi gambar tidak boleh kosong")
    if len(text) > MAX_ALT_TEXT:
        raise ValueError(f"deskripsi gambar terlalu panjang: {len(text)} karakter, paling "
                         f"banyak {MAX_ALT_TEXT}")
    return text


AltText = Annotated[str, AfterValidator(_alt_text)]


class MediaAltSpec(Strict):
    images: dict[ImageName, AltText] = Field(min_length=1)


def load_media_alts(content_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """Image file name -> its description; {} when the file is absent or invalid (then
    `problems` says why)."""
    path = content_dir / ALT_FILE
    if not path.exists():
        return {}
    doc, found = read_yaml(path)
    problems.extend(found)
    if doc is None:
        return {}
    spec, found = doc.validate(MediaAltSpec)
    problems.extend(found)
    if spec is None:
        return {}
    return dict(spec.images)
