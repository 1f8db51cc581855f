"""Builds the adapter for an account: its plugin class, credentials from the environment
(by the variable names in content), an HTTP session per thread, the platform's address.
An account whose credentials are not all set publishes to the outbox instead."""

import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from scheduler.adapters.base import Adapter, AdapterContext
from scheduler.adapters.registry import load_adapters
from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.models import Account

OUTBOX = "outbox"

Checkpoint = Callable[[Mapping[str, str]], None]


@dataclass(frozen=True)
class AccountAdapter:
    adapter: Adapter
    name: str  # the plugin that will publish: the account's platform, or "outbox"
    secrets: tuple[str, ...]  # credential values, for redaction


class AdapterFactory:
    def __init__(self, settings: Settings, clock: Clock,
                 adapters: Mapping[str, type[Adapter]] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.adapters = dict(adapters if adapters is not None else load_adapters())
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._proxies = urllib.request.getproxies()
        self._lock = threading.Lock()

    def plugin_for(self, account: Account) -> tuple[type[Adapter], dict[str, str]]:
        """The adapter class that will publish for this account, and its credentials."""
        cls = self.adapters.get(account.platform)
        credentials = {field: self.settings.secret(env) or ""
                       for field, env in account.credential_names.items()}
        if cls is None or any(not credentials.get(f) for f in cls.credential_fields):
            return self.adapters[OUTBOX], {}
        return cls, {k: v for k, v in credentials.items() if v}

    def build(self, account: Account, checkpoint: Checkpoint) -> AccountAdapter:
        cls, credentials = self.plugin_for(account)
        context = AdapterContext(
            session=self.session(), credentials=credentials, clock=self.clock,
            base_url=self.settings.api_urls.get(account.platform) if cls.name != OUTBOX else None,
            timeout=self.settings.http_timeout, outbox_dir=self.settings.outbox_dir,
            checkpoint=checkpoint)
        return AccountAdapter(cls(context), cls.name, tuple(credentials.values()))

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
