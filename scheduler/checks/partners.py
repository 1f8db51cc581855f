"""The check `mitra_tanpa_mou`: a post that names or tags a partner goes out only while
the partner's MoU with KPU RI is valid and the post's office (or its province) has a
valid PKS with it, on the post's local publish date.

KPU Provinsi Jawa Timur told every KPU Kabupaten/Kota to cooperate only with institutions
that have signed an MoU with KPU RI (issue 9; the seed article
/work/shared/reference/kpu-kota-blitar-2022-06-28.txt). It runs with the calendar checks,
so at planning, at approval and again at the moment of publishing.
"""

import re
from collections.abc import Mapping
from datetime import date

from scheduler import localtime
from scheduler.checks.drafts import PostDraft, PostProblem
from scheduler.content.model import Catalog, Region
from scheduler.content.partner_model import Partner
from scheduler.content.terms import fold

CODE = "mitra_tanpa_mou"


def partner_problems(draft: PostDraft, catalog: Catalog) -> list[PostProblem]:
    """One problem per partner the text names without a valid MoU and PKS that day."""
    if not catalog.partners or not draft.text:
        return []
    named = partners_named(draft.text, catalog.partners)
    if not named:
        return []
    region = catalog.regions.get(draft.region_key)
    zone = region.timezone if region else next(iter(catalog.elections.values())).timezone
    day = draft.scheduled_at.astimezone(zone).date()
    problems = []
    for partner in named:
        gaps = partner_gaps(partner, region, draft.region_key, day)
        if gaps:
            problems.append(PostProblem(CODE, (
                f"menyebut mitra {partner.name} pada {localtime.format_date_short(day)}, "
                f"tetapi {'; '.join(gaps)}")))
    return problems


def partner_gaps(partner: Partner, region: Region | None, region_key: str,
                 day: date) -> list[str]:
    """What is missing for `region_key` to name `partner` on `day` (empty: nothing)."""
    gaps = []
    mou = partner.mou
    if mou is None:
        gaps.append("belum ada MoU dengan KPU RI")
    elif day > mou.valid_until:
        gaps.append(f"MoU dengan KPU RI ({mou.number}) berakhir "
                    f"{localtime.format_date_short(mou.valid_until)}")
    elif day < mou.signed:
        gaps.append(f"MoU dengan KPU RI ({mou.number}) baru ditandatangani "
                    f"{localtime.format_date_short(mou.signed)}")
    offices = (region.key, region.province_key) if region else (region_key,)
    own = partner.agreements_of(offices)
    if any(a.valid_on(day) for a in own):
        return gaps
    where = region.name if region else region_key
    if not own:
        gaps.append(f"{where} (dan provinsinya) belum punya PKS dengan mitra ini")
    else:
        latest = max(own, key=lambda a: a.end)
        verb = "berakhir" if day > latest.end else "baru berlaku"
        when = latest.end if day > latest.end else latest.start
        gaps.append(f"PKS {latest.number} {verb} {localtime.format_date_short(when)}")
    return gaps


def partners_named(text: str, partners: Mapping[str, Partner]) -> list[Partner]:
    """The partners whose name, alias or @handle appears in `text` as a whole word (case-
    and accent-insensitive), in the order of the content file."""
    pattern, owners = _partner_pattern(partners)
    found = {owners[" ".join(m.group(0).split())] for m in pattern.finditer(fold(text))}
    return [p for key, p in partners.items() if key in found]


_CACHE: dict[int, tuple[Mapping[str, Partner], re.Pattern[str], dict[str, str]]] = {}


def _partner_pattern(partners: Mapping[str, Partner]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One expression for every name (longest first), and folded name -> partner key;
    built once per catalog (this runs for every planned post)."""
    cached = _CACHE.get(id(partners))
    if cached is None or cached[0] is not partners:
        owners = {" ".join(fold(n).split()): p.key for p in partners.values() for n in p.names}
        names = sorted(owners, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in names)
        # A handle ends before a dot that ends a sentence, not inside "@kpu.jatim".
        cached = _CACHE[id(partners)] = (
            partners, re.compile(rf"(?<![\w@])(?:{body})(?![\w@]|\.\w)"), owners)
    return cached[1], cached[2]
