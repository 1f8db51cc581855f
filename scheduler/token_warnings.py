"""Which connected accounts will stop publishing soon unless a person acts: for
`siar status` and the Operasi page, seven days ahead (issue 13).

A token Siar cannot renew (no renewal for its platform, or not the fields one needs)
warns once it expires within the window. A token Siar renews itself (scheduler.
token_refresh) warns only when its renewal is overdue: when less than half of the
renewal's lead remains (an X token 15 minutes before it expires, a Threads token 7
days), since every renewal moves the expiry forward and a renewed X token always
"expires within seven days". A refresh token's own end warns like any other end.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from scheduler.account_tokens import EXPIRY_WARNING, connections
from scheduler.adapters.base import Adapter
from scheduler.token_refresh import renewal_lead
from scheduler.users import Actor


@dataclass(frozen=True)
class TokenWarning:
    account: str  # region/platform
    ends: datetime
    renewable: bool  # Siar renews it itself, but has not managed to lately

    def expired(self, now: datetime) -> bool:
        return self.ends <= now

    def text(self, when: str, now: datetime) -> str:
        """The warning in Indonesian; `when` is `ends` as the reader's local time."""
        state = "sudah kedaluwarsa" if self.expired(now) else "akan berakhir"
        if self.renewable:
            return (f"token {self.account} {state} {when}: pembaruan otomatis belum "
                    "berhasil; periksa log pekerja, atau hubungkan ulang akun")
        return (f"token {self.account} {state} {when} dan tidak diperbarui otomatis; "
                "hubungkan ulang akun sebelum itu")


def token_warnings(session: Session, *, actor: Actor, now: datetime,
                   adapters: Mapping[str, type[Adapter]],
                   window: timedelta = EXPIRY_WARNING) -> list[TokenWarning]:
    """The connections in the actor's scope that need a person within `window`, the
    soonest first."""
    found = []
    for info in connections(session, actor=actor):
        platform = info.account.rpartition("/")[2]
        cls = adapters.get(platform)
        auth = cls.auth if cls is not None else None
        renewable = auth is not None and auth.renews(info.fields)
        if info.refresh_expires_at is not None and info.refresh_expires_at - now <= window:
            found.append(TokenWarning(info.account, info.refresh_expires_at, False))
        elif info.expires_at is not None:
            ahead = window
            if renewable:
                since = info.refreshed_at or info.connected_at
                ahead = min(window, renewal_lead(info.expires_at, since) / 2)
            if info.expires_at - now <= ahead:
                found.append(TokenWarning(info.account, info.expires_at, renewable))
    return sorted(found, key=lambda w: (w.ends, w.account))
