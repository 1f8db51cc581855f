"""Statuses, events, stage tags, actors and numbers as people read them, in Indonesian. Stored
values, JSON and CSV keep their stable English names; tables, pages and messages show
these."""

import re

STATUS_LABELS = {
    "draft": "draf", "pending": "menunggu tinjauan", "approved": "disetujui",
    "rejected": "ditolak", "cancelled": "dibatalkan", "publishing": "sedang diterbitkan",
    "retrying": "akan dicoba lagi", "published": "terbit", "failed": "gagal",
    "uncertain": "belum pasti", "missed": "terlewat",
}
EVENT_LABELS = {
    "planned": "direncanakan", "created": "dibuat", "submitted": "diajukan",
    "edited": "disunting", "approved": "disetujui", "rejected": "ditolak",
    "cancelled": "dibatalkan", "rescheduled": "dijadwal ulang", "claimed": "diambil pekerja",
    "attempt": "dikirim ke platform", "checkpoint": "tahap terkirim", "retry": "akan dicoba lagi",
    "published": "terbit", "failed": "gagal", "retrying": "akan dicoba lagi",
    "uncertain": "belum pasti", "resolved": "diselesaikan", "missed": "terlewat",
    "held": "ditahan", "unsafe": "ditahan: tidak aman diterbitkan", "deferred": "ditunda",
    "reconciled": "dicocokkan", "reconcile_unknown": "dicocokkan: belum ditemukan",
}
TAG_LABELS = {  # stage tags of content/elections (keys stay English in content and JSON)
    "planning": "perencanaan", "regulation": "regulasi", "socialisation": "sosialisasi",
    "adhoc": "badan ad hoc", "voter_list": "daftar pemilih", "participants": "peserta",
    "candidacy": "pencalonan", "campaign": "kampanye", "debate": "debat",
    "quiet_period": "masa tenang", "voting_day": "pemungutan suara",
    "counting": "penghitungan", "recapitulation": "rekapitulasi", "results": "hasil",
    "oath": "pengucapan sumpah/janji", "launch": "peluncuran",
}
# A worker's name is host:pid:start (scheduler.worker); people read "pekerja".
_WORKER = re.compile(r"^(?P<host>[^:\s]+):(?P<pid>\d+):\d+$")


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "-")


def event_label(kind: str | None) -> str:
    return EVENT_LABELS.get(kind or "", kind or "-")


def tag_label(tag: str) -> str:
    return TAG_LABELS.get(tag, tag)


def actor_label(name: str) -> str:
    """A user's name as it is; a worker as "pekerja (host, pid N)"."""
    found = _WORKER.match(name)
    if found is None:
        return "perencana" if name == "planner" else name
    return f"pekerja ({found['host']}, pid {found['pid']})"


def thousands(number: int) -> str:
    """31402838 -> 31.402.838 (the Indonesian thousands separator)."""
    return f"{number:,}".replace(",", ".")
