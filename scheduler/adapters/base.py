"""The adapter contract: publish one post to one platform account.

An adapter gets everything that talks to the outside world from its caller (an
AdapterContext: HTTP session, base URL, credentials, clock, outbox folder), so tests
point it at fake servers on 127.0.0.1. It raises the typed errors below and never
puts a credential in an error message (use `self.redact`).

Errors (all subclass scheduler.errors.SiarError through PublishError):

PublishError
├── TransientPublishError     not published; safe to try again after `retry_after` seconds
├── PermanentPublishError     not published; the platform refuses this post as it is
├── ReauthorizationRequired   not published; the account's token must be renewed
└── AmbiguousPublishError     may have been published (timeout after sending, lost
                              connection, duplicate-content reply, 5xx from a platform
                              without a duplicate guard): never resend blindly

A retry of a post carries what earlier attempts checkpointed in `PostPayload.ref`; an
adapter that checkpoints uses it to resume instead of starting over (Instagram and
Threads reuse their media container), the others ignore it.
"""

import base64
import hashlib
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from scheduler.clock import Clock
from scheduler.config import OAuthApp, Settings
from scheduler.errors import ConfigError, SiarError

# Each adapter declares its platform's limits in its own file (scheduler.platforms).
from scheduler.platforms import PlatformLimits as PlatformLimits
from scheduler.redact import redact, redact_error

if TYPE_CHECKING:
    import requests


class PublishError(SiarError):
    """Base of adapter failures; `platform_message` is the platform's own text, redacted."""

    error_code = "publish"
    http_status = 502  # the platform failed us

    def __init__(self, message: str, *, platform_message: str | None = None,
                 status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.platform_message = platform_message
        self.status = status
        self.code = code


E = TypeVar("E", bound=PublishError)


class TransientPublishError(PublishError):
    error_code = "publish_transient"
    http_status = 503

    def __init__(self, message: str, *, retry_after: float | None = None,
                 **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class PermanentPublishError(PublishError):
    error_code = "publish_refused"


class ReauthorizationRequired(PublishError):
    error_code = "publish_reauthorize"


class AmbiguousPublishError(PublishError):
    error_code = "publish_uncertain"


@dataclass(frozen=True)
class PostPayload:
    """One post as an adapter sees it."""

    post_id: int
    text: str
    scheduled_at: datetime
    region_key: str
    handle: str
    image_path: Path | None = None
    image_url: str | None = None  # public URL of the image, for platforms that fetch it
    image_alt: str | None = None  # the image's description for screen readers
    attempt: int = 1
    platform: str = ""  # the account's platform (the outbox stands in for any of them)
    # What an earlier attempt of this post saved via `AdapterContext.checkpoint`, e.g.
    # {"container_id": "..."}; empty on a first attempt. Left out of the hash so the
    # payload stays hashable.
    ref: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Receipt:
    platform_id: str
    url: str | None = None


@dataclass
class AdapterContext:
    session: "requests.Session"
    credentials: Mapping[str, str]  # field -> secret value (never logged)
    clock: Clock
    base_url: str | None = None  # None: the platform's real address
    timeout: float = 30.0
    outbox_dir: Path = Path("outbox")
    # The database's identity (`siar init`): outbox files live under it, so another
    # database sharing the folder never takes them for its own.
    instance_id: str = ""
    # Persist a platform reference (e.g. a media container id) before the next request
    # leaves, so a crash after it can be reconciled. Set by the publishing service.
    checkpoint: Callable[[Mapping[str, str]], None] = field(default=lambda ref: None)


class RefreshRefused(PublishError):
    """The platform refuses to renew a token (revoked, already used, expired, the app's
    access withdrawn): only a person reconnecting the account helps."""

    error_code = "refresh_refused"


@dataclass(frozen=True)
class Grant:
    """Credentials a platform issued (when an account is connected or its token renewed):
    the field values to store, and until when they work (None: no known end)."""

    values: Mapping[str, str] = field(repr=False)
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None


def expiry_after(clock: Clock, expires_in: object) -> datetime | None:
    """When a token given now ends, from the platform's `expires_in` (seconds); None when
    the answer names no positive lifetime."""
    seconds = int(expires_in) if isinstance(expires_in, (int, str)) and \
        str(expires_in).isdigit() else 0
    return clock.now() + timedelta(seconds=seconds) if seconds > 0 else None


def pkce_pair() -> tuple[str, str]:
    """(code verifier, its S256 challenge) for OAuth 2.0 PKCE: 86 URL-safe characters
    (RFC 7636 allows 43-128)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class PlatformAuth:
    """How a platform connects and renews an account's token; an adapter names its class
    in `Adapter.auth`, so the refresh service and the connect pages stay platform-neutral.

    Built on an adapter (its HTTP session, address, clock and the stored credentials) and
    Siar's app on the platform (None where none is configured). Failures are typed like
    publishing's: TransientPublishError (try again later), RefreshRefused (reconnect)."""

    # Stored fields a refresh needs (a refresh token, or the long-lived token itself);
    # none: the platform does not renew tokens (see `renews`).
    refresh_needs: ClassVar[tuple[str, ...]] = ()
    # How old a token must be before the platform renews it (Threads: 24 hours).
    refresh_min_age: ClassVar[timedelta] = timedelta(0)
    # The connect pages: whether an admin connects through the platform's own consent
    # page (OAuth), and the address of that page when no setting overrides it.
    authorize_page: ClassVar[str] = ""
    # Whose consent page that is, when not the platform's own (Instagram: Facebook).
    consent_site: ClassVar[str] = ""
    # The settings that hold Siar's app on the platform (named when they are missing),
    # and its key in Settings.oauth_apps when not the platform's name (one Meta app
    # connects Facebook and Instagram accounts).
    app_settings: ClassVar[str] = ""
    app_key: ClassVar[str] = ""
    # After consent, the admin chooses what the account publishes to (a Facebook Page)
    # before anything is stored (scheduler.page_choice).
    chooses_target: ClassVar[bool] = False
    # A stored field naming the platform user whose consent the token rests on, where
    # revoking withdraws that whole consent (Facebook Login): accounts sharing it are
    # not revoked one by one (scheduler.connecting).
    grant_field: ClassVar[str] = ""

    def __init__(self, adapter: "Adapter", app: OAuthApp | None) -> None:
        self.adapter = adapter
        self.app = app

    @classmethod
    def app_of(cls, settings: Settings, platform: str) -> OAuthApp | None:
        """Siar's app through which `platform`'s accounts connect, if it is set."""
        return settings.oauth_apps.get(cls.app_key or platform)

    @classmethod
    def renews(cls, fields: Iterable[str]) -> bool:
        """Whether Siar renews a token stored with these fields itself."""
        return bool(cls.refresh_needs) and set(cls.refresh_needs) <= set(fields)

    def required_app(self) -> OAuthApp:
        """Siar's app on the platform; a settings error naming what to fill without it."""
        if self.app is None:
            raise ConfigError(f"aplikasi {self.adapter.label} Siar belum disetel: isi "
                              f"{self.app_settings or 'ID dan rahasia klien aplikasinya'}")
        return self.app

    def scrub(self, error: "E", *hide: str) -> "E":
        """`error` without the app's secret, the stored tokens or `hide` (a code, a token
        just issued) in its texts, should a platform echo a request back."""
        app = self.app
        basic = (app.client_secret, base64.b64encode(
            f"{app.client_id}:{app.client_secret}".encode()).decode()) if app else ()
        return redact_error(error, (*hide, *basic, *self.adapter.context.credentials.values()))

    def refresh(self) -> Grant:
        """New credentials for the stored ones (merged over them when stored)."""
        raise RefreshRefused(f"{self.adapter.label} tidak memperbarui token sendiri")

    def revoke(self) -> None:
        """Withdraw the stored token at the platform, where it allows that (disconnect)."""

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        """The platform's consent page for an admin connecting an account."""
        raise NotImplementedError

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        """Credentials for the code the consent page sent back."""
        raise NotImplementedError


class Adapter(ABC):
    """Publishes posts to one account of one platform."""

    name: ClassVar[str]  # registry key, e.g. "instagram"
    label: ClassVar[str]  # display name in messages, e.g. "Instagram"
    limits: ClassVar[PlatformLimits]  # what the platform allows, how it counts length
    default_base_url: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[str, ...]] = ()
    can_reconcile: ClassVar[bool] = False
    # How the platform connects and renews tokens (None: credentials are pasted and
    # never renewed by Siar, like a Telegram bot token).
    auth: ClassVar[type[PlatformAuth] | None] = None

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base_url = (context.base_url or self.default_base_url).rstrip("/")

    @abstractmethod
    def publish(self, post: PostPayload) -> Receipt:
        """Publish the post once. Raise a PublishError subclass on failure."""

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        """After an ambiguous attempt, ask the platform whether the post went live.

        `ref` is what the attempt checkpointed. Exactly four outcomes:

        - a Receipt: the post is live; record it and never publish it again;
        - None: it surely is not live; publishing again (with `post.ref` set) is safe;
        - TransientPublishError: the platform cannot be asked right now (transport
          failure, 5xx, throttling); reconcile again after `retry_after` (or a back-off);
        - AmbiguousPublishError: the platform can never tell (no lookup, nothing was
          saved, it refuses the lookup); an operator must decide.

        Adapters without a lookup (`can_reconcile` False) always raise the last one.
        """
        raise AmbiguousPublishError(
            f"{self.label} tidak dapat dicek ulang; perlu keputusan operator")

    def verify(self) -> str | None:
        """Ask the platform, without publishing, whether the credentials reach the account;
        return what they reach (a channel's or page's name) for the person connecting it,
        or None where the platform has no such question. Raise a PublishError when the
        platform refuses them."""
        return None

    def credential(self, field_name: str) -> str:
        value = self.context.credentials.get(field_name)
        if not value:
            raise ReauthorizationRequired(
                f"kredensial {self.label} belum diisi: {field_name}")
        return value

    def redact(self, text: str) -> str:
        return redact(text, self.context.credentials.values())
