"""The built-in checks, registered in pyproject.toml's "siar.checks" group exactly as a
third-party package registers its own (scheduler.checks.registry says what each field
means). The finders themselves live in scheduler.checks.post_checks and partners."""

from scheduler.checks.drafts import CheckSettings, PostDraft, PostProblem
from scheduler.checks.partners import partner_problems
from scheduler.checks.post_checks import (
    date_problems,
    image_alt_problems,
    length_problems,
    link_problems,
    neutrality_problems,
)
from scheduler.checks.registry import (
    APPROVAL,
    CALENDAR,
    CONTENT,
    PARTNERS,
    PLANNING,
    STAGES,
    TEXT,
    Check,
)
from scheduler.content.model import Catalog

BEFORE_APPROVAL = frozenset((PLANNING, APPROVAL))


def _empty(draft: PostDraft, catalog: Catalog, settings: CheckSettings) -> list[PostProblem]:
    return [] if draft.text.strip() else [
        PostProblem("empty", f"teks kosong untuk {draft.platform}")]


EMPTY = Check(
    "empty", "teks tidak boleh kosong", CONTENT, _empty,
    runs=BEFORE_APPROVAL, order=5, on_sample=True)
LENGTH = Check(
    "length", "panjang teks, tagar dan gambar wajib sesuai batas platform", CONTENT,
    lambda draft, catalog, settings: length_problems(draft, settings),
    runs=BEFORE_APPROVAL, order=10, on_sample=True)
IMAGE_ALT = Check(
    "image_alt", "gambar punya teks alternatif (alt text) yang cukup singkat", CONTENT,
    lambda draft, catalog, settings: image_alt_problems(draft.image, draft.image_alt),
    runs=BEFORE_APPROVAL, order=20)
NEUTRALITY = Check(
    "neutrality", "tidak menyebut peserta pemilu (partai, calon, nomor urut, tim kampanye), "
    "juga di teks alternatif gambar", TEXT,
    lambda draft, catalog, settings: neutrality_problems(draft.text, catalog, draft.image_alt),
    runs=BEFORE_APPROVAL, order=30, on_sample=True)
LINKS = Check(
    "links", "tautan ke data yang bukan hasil resmi disertai catatannya", TEXT,
    lambda draft, catalog, settings: link_problems(draft.text, catalog),
    runs=BEFORE_APPROVAL, order=40, on_sample=True)
CALENDAR_RULES = Check(
    "calendar", "masa tenang dan hari pemungutan suara hanya untuk templat yang aman; "
    "konten hasil menunggu hasil resmi wilayahnya", CALENDAR,
    lambda draft, catalog, settings: date_problems(draft, catalog, settings.releases),
    runs=frozenset(STAGES), order=50)
PARTNER_MOU = Check(
    "partners", "mitra yang disebut punya MoU dengan KPU RI dan PKS dengan kantor ini "
    "pada hari itu", PARTNERS,
    lambda draft, catalog, settings: partner_problems(draft, catalog),
    runs=frozenset(STAGES), order=60)
