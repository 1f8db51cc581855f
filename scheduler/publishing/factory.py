"""Builds the adapter for an account: its plugin class, credentials from the environment
(by the variable names in content) or, field by field where the environment has none,
those stored when the account was connected; an HTTP session per thread, the platform's
address.

Fail closed: an account whose credentials are not all set is held (its posts wait, and
`siar status` says which variable is missing); it publishes to the outbox instead only
where the settings opt in (SIAR_OUTBOX_FALLBACK=1: demos and trials)."""

import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests

from scheduler.adapters.base import Adapter, AdapterContext, PlatformAuth
from scheduler.adapters.registry import load_adapters
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.errors import SiarError
from scheduler.models import Account
from scheduler.publishing.stored import StoredCredentials

OUTBOX = "outbox"

Checkpoint = Callable[[Mapping[str, str]], None]


class AccountHeld(SiarError):
    """The account cannot publish now (credentials missing, no adapter installed)."""

    error_code = "account_held"
    exit_code = 6
    http_status = 409


@dataclass(frozen=True)
class AccountAdapter:
    adapter: Adapter
    name: str  # the plugin that will publish: the account's platform, or "outbox"
    secrets: tuple[str, ...]  # credential values, for redaction


@dataclass(frozen=True)
class Route:
    """Where an account's posts go: an adapter with its credentials, or held and why."""

    adapter: type[Adapter] | None
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    held: str | None = None

    @property
    def name(self) -> str | None:
        return self.adapter.name if self.adapter is not None else None


class AdapterFactory:
    def __init__(self, settings: Settings, clock: Clock,
                 adapters: Mapping[str, type[Adapter]] | None = None,
                 instance_id: str = "", stored: StoredCredentials | None = None) -> None:
        self.settings = settings
        self.stored = stored
        self.clock = clock
        self.adapters = dict(adapters if adapters is not None else load_adapters())
        self.instance_id = instance_id  # this database's id: outbox files carry it
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._proxies = urllib.request.getproxies()
        self._lock = threading.Lock()

    def route(self, account: Account) -> Route:
        """Where this account's posts go now."""
        return self._route(account, self.adapters.get(account.platform), fallback=True)

    def route_via(self, account: Account, via: str) -> Route:
        """The route of an earlier attempt through adapter `via` (to look a post up where
        it was sent, even if the account's route has changed since)."""
        if via == OUTBOX:
            return Route(self.adapters[OUTBOX])
        return self._route(account, self.adapters.get(via), fallback=False)

    def _route(self, account: Account, cls: type[Adapter] | None, *, fallback: bool) -> Route:
        if cls is None:
            held = f"adapter {account.platform!r} tidak terpasang"
        else:
            credentials = {f: self.settings.secret(env) or ""
                           for f, env in account.credential_names.items()}
            try:
                credentials = self._with_stored(account, cls, credentials)
            except SiarError as exc:
                return self._held(str(exc), fallback=False)
            missing = [account.credential_names.get(f) or f"{f} (tidak disebut di content)"
                       for f in cls.credential_fields if not credentials.get(f)]
            if not missing:
                return Route(cls, {k: v for k, v in credentials.items() if v})
            held = "kredensial belum diisi: " + ", ".join(missing)
        return self._held(held, fallback=fallback)

    def _held(self, reason: str, *, fallback: bool) -> Route:
        if fallback and self.settings.outbox_fallback:
            return Route(self.adapters[OUTBOX])
        return Route(None, held=reason)

    def _with_stored(self, account: Account, cls: type[Adapter],
                     credentials: dict[str, str]) -> dict[str, str]:
        """Fill the fields the environment leaves empty from the account's stored
        credentials (the environment wins where both have a value)."""
        if self.stored is None or account.id is None:
            return credentials
        wanted = [f for f in cls.credential_fields if not credentials.get(f)]
        if not wanted or not set(wanted) & set(self.stored.fields(account.id)):
            return credentials
        stored = self.stored.values(account.id)
        return {**credentials, **{f: stored[f] for f in wanted if stored.get(f)}}

    def env_credentials(self, account: Account) -> dict[str, str]:
        """The account's credential fields that its environment variables fill."""
        return {f: value for f, env in account.credential_names.items()
                if (value := self.settings.secret(env) or "")}

    def probe(self, account: Account, credentials: Mapping[str, str]) -> Adapter:
        """The account's own adapter with these credentials over those of the environment,
        to ask the platform about them before they are stored."""
        cls = self.adapters.get(account.platform)
        if cls is None or cls.name == OUTBOX or not cls.credential_fields:
            raise AccountHeld(f"{account.region_key}/{account.platform}: tidak ada adapter "
                              "yang memakai kredensial untuk platform ini")
        merged = {**self.env_credentials(account), **credentials}
        missing = [f for f in cls.credential_fields if not merged.get(f)]
        if missing:
            raise AccountHeld(f"{account.region_key}/{account.platform}: kredensial belum "
                              "lengkap: " + ", ".join(missing))
        return cls(AdapterContext(
            session=self.session(), credentials=merged, clock=self.clock,
            base_url=self.settings.api_urls.get(account.platform),
            timeout=self.settings.http_timeout, outbox_dir=self.settings.outbox_dir,
            instance_id=self.instance_id))

    def auth(self, platform: str, credentials: Mapping[str, str]) -> PlatformAuth:
        """How `platform` connects and renews tokens, over its adapter holding exactly
        `credentials` (the stored ones, for a refresh or a revocation; none to connect)."""
        cls = self.adapters.get(platform)
        if cls is None or cls.auth is None:
            raise AccountHeld(f"platform {platform} tidak dihubungkan lewat halaman "
                              "persetujuannya dan tidak memperbarui token")
        adapter = cls(AdapterContext(
            session=self.session(), credentials=dict(credentials), clock=self.clock,
            base_url=self.settings.api_urls.get(platform), timeout=self.settings.http_timeout,
            outbox_dir=self.settings.outbox_dir, instance_id=self.instance_id))
        return cls.auth(adapter, cls.auth.app_of(self.settings, platform))

    def reconcilable(self) -> set[str]:
        """The adapters that can look a post up on their platform."""
        return {name for name, cls in self.adapters.items() if cls.can_reconcile}

    def build(self, account: Account, checkpoint: Checkpoint,
              via: str | None = None) -> AccountAdapter:
        """The adapter for the account's route (or for `via`); AccountHeld if none."""
        route = self.route(account) if via is None else self.route_via(account, via)
        if route.adapter is None:
            raise AccountHeld(f"{account.region_key}/{account.platform}: {route.held}")
        cls = route.adapter
        context = AdapterContext(
            session=self.session(), credentials=route.credentials, clock=self.clock,
            base_url=self.settings.api_urls.get(account.platform) if cls.name != OUTBOX else None,
            timeout=self.settings.http_timeout, outbox_dir=self.settings.outbox_dir,
            checkpoint=checkpoint, instance_id=self.instance_id)
        return AccountAdapter(cls(context), cls.name, tuple(route.credentials.values()))

    def session(self) -> requests.Session:
        """One session per thread: requests.Session is not safe to share across threads."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            # Proxies from the environment are read once here, not on every request
            # (requests would scan os.environ for each one).
            session.trust_env = False
            session.proxies = dict(self._proxies)
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
