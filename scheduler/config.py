"""Settings: one table of name, default and help; read from the environment and .env.

Nothing is read at import time: call load_settings(). Credentials are not settings;
accounts name the environment variables that hold them, and `Settings.secret(name)`
looks them up in the same environment (process first, then .env).
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from scheduler.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SIAR_DATABASE_URL", "sqlite:///siar.db",
            "Database URL: SQLite file (default) or postgresql+psycopg://user@host/db"),
    Setting("SIAR_CONTENT_DIR", "content",
            "Folder with elections/, regions/, plan.yaml and neutrality.yaml"),
    Setting("SIAR_TEMPLATES_DIR", "templates", "Folder with the Jinja post templates"),
    Setting("SIAR_TIMEZONE", "Asia/Jakarta", "Time zone for showing times and reading local input"),
    Setting("SIAR_NOW", "",
            "Pretend it is this instant (ISO 8601; local time if no offset); empty: real time"),
    Setting("SIAR_ALLOW_NOW", "0",
            "1: commands that change something accept SIAR_NOW/--now (demos, tests, trials)"),
    Setting("SIAR_OUTBOX_DIR", "outbox", "Folder where the outbox adapter writes posts"),
    Setting("SIAR_OUTBOX_FALLBACK", "0",
            "1: accounts without credentials publish to the outbox (demos, trials); "
            "0: they are held until their credentials are set"),
    Setting("SIAR_MAX_LATENESS", "30",
            "Minutes after its time a post may still go out; later it becomes `missed` "
            "(a plan rule may set its own max_lateness)"),
    Setting("SIAR_MEDIA_DIR", "content/media", "Folder that post images are read from"),
    Setting("SIAR_MEDIA_BASE_URL", "",
            "Public URL where SIAR_MEDIA_DIR is served (Instagram and Threads fetch images)"),
    Setting("SIAR_PUBLIC_URL", "",
            "Address where people (and platforms fetching images) reach `siar web`, e.g. "
            "https://siar.kpu-jatim.example; https:// makes its cookies Secure"),
    Setting("SIAR_SECRET_KEY", "",
            "Secret (32+ characters; `siar secrets new-key`) that encrypts connected accounts' "
            "tokens in the database and signs media addresses; empty: no token can be "
            "stored, and media addresses are signed with a key derived from the database"),
    Setting("SIAR_SECRET_KEYS_OLD", "",
            "Earlier values of SIAR_SECRET_KEY, comma-separated: they still open stored "
            "tokens until `siar secrets rotate` has sealed them with the current one"),
    Setting("SIAR_PLAN_DAYS_AHEAD", "7", "The worker's daily planning job plans this many days"),
    # 05:17: away from the whole and half hours where posts fall due (06.00 is the
    # voting-day batch), so the daily planning never runs beside a burst of publishing.
    Setting("SIAR_PLAN_AT", "17 5 * * *",
            "When the worker plans (cron, local time): minute hour day month weekday; "
            "keep it off the minutes posts are due"),
    Setting("SIAR_PLAN_PROCESSES", "1",
            "Processes `siar plan` plans in at once, for the system's and the nation's "
            "planners (the national calendar: the machine's cores)"),
    Setting("SIAR_WORKER_CONCURRENCY", "200",
            "How many accounts the worker publishes to at once (one request per account)"),
    Setting("SIAR_HTTP_TIMEOUT", "30", "Seconds to wait for a platform's answer"),
    Setting("SIAR_MAX_ATTEMPTS", "5", "Attempts before a transiently failing post is failed"),
    Setting("SIAR_RETRY_BASE", "30",
            "Seconds before the first retry; doubles each attempt (with jitter), max 1 hour"),
    Setting("SIAR_CLAIM_LEASE", "900",
            "Seconds a claim is held: renewed while its request is in flight; a post whose "
            "lease ran out (its worker died) is recovered as uncertain"),
    # Each platform's SIAR_<PLATFORM>_API_URL (and a cap like SIAR_INSTAGRAM_MAX_HASHTAGS)
    # is declared by its adapter: scheduler.platforms.platform_settings().
    Setting("SIAR_X_CLIENT_ID", "",
            "OAuth 2.0 client id of Siar's X app (developer portal); empty: X accounts cannot "
            "be connected from the web app"),
    Setting("SIAR_X_CLIENT_SECRET", "",
            "OAuth 2.0 client secret of that X app (a confidential client); never shown"),
    Setting("SIAR_X_AUTH_URL", "",
            "X's authorisation page (empty: https://x.com/i/oauth2/authorize); its token and "
            "revoke endpoints are under SIAR_X_API_URL"),
    Setting("SIAR_FACEBOOK_APP_ID", "",
            "App id of Siar's Meta app with Facebook Login (Meta developer dashboard); it "
            "connects Facebook Pages and Instagram business accounts; empty: neither can be "
            "connected from the web app"),
    Setting("SIAR_FACEBOOK_APP_SECRET", "", "App secret of that Meta app; never shown"),
    Setting("SIAR_FACEBOOK_AUTH_URL", "",
            "Facebook's login dialog (empty: https://www.facebook.com/v21.0/dialog/oauth); "
            "its token endpoints are under SIAR_FACEBOOK_API_URL (Facebook) and "
            "SIAR_INSTAGRAM_API_URL (Instagram)"),
    Setting("SIAR_THREADS_APP_ID", "",
            "App id of Siar's Threads app (Meta developer dashboard); empty: Threads accounts "
            "cannot be connected from the web app"),
    Setting("SIAR_THREADS_APP_SECRET", "", "App secret of that Threads app; never shown"),
    Setting("SIAR_THREADS_AUTH_URL", "",
            "Threads' authorisation page (empty: https://threads.net/oauth/authorize); its "
            "token endpoints are under SIAR_THREADS_API_URL"),
    Setting("SIAR_SESSION_FILE", "~/.config/siar/session",
            "File where `siar login` keeps its session token (readable by you alone)"),
    Setting("SIAR_SESSION_HOURS", "8",
            "Hours a `siar login` lasts before the password is asked again"),
    Setting("SIAR_LOG_LEVEL", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR"),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}
_API_URL = re.compile(r"SIAR_([A-Z0-9]+)_API_URL")


def _api_urls(merged: Mapping[str, str]) -> dict[str, str]:
    """SIAR_<PLATFORM>_API_URL of every platform, plugins' too: platform -> address."""
    return {match[1].lower(): value.rstrip("/") for name, value in merged.items()
            if value and (match := _API_URL.fullmatch(name))}


# app key (a platform, or what its PlatformAuth.app_key names) -> (client id, client
# secret, authorisation page) settings of that OAuth app
_OAUTH_APPS = {"x": ("SIAR_X_CLIENT_ID", "SIAR_X_CLIENT_SECRET", "SIAR_X_AUTH_URL"),
               "threads": ("SIAR_THREADS_APP_ID", "SIAR_THREADS_APP_SECRET",
                           "SIAR_THREADS_AUTH_URL"),
               # One Meta app (Facebook Login) connects Pages and Instagram accounts.
               "meta": ("SIAR_FACEBOOK_APP_ID", "SIAR_FACEBOOK_APP_SECRET",
                        "SIAR_FACEBOOK_AUTH_URL")}


@dataclass(frozen=True)
class OAuthApp:
    """Siar's own app on a platform, through which admins connect accounts."""

    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str  # empty: the platform's real page


@dataclass(frozen=True)
class Settings:
    database_url: str
    content_dir: Path
    templates_dir: Path
    timezone: ZoneInfo
    now: datetime | None
    allow_now: bool
    outbox_dir: Path
    outbox_fallback: bool
    max_lateness: timedelta
    media_dir: Path
    media_base_url: str
    public_url: str
    secret_key: str = field(repr=False)
    secret_keys_old: tuple[str, ...] = field(repr=False)
    plan_days_ahead: int
    plan_at: str
    plan_processes: int
    worker_concurrency: int
    http_timeout: float
    max_attempts: int
    retry_base: float
    claim_lease: float
    api_urls: Mapping[str, str]  # platform -> base URL override (tests, proxies)
    log_level: str
    session_file: Path
    session_hours: int
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    oauth_apps: Mapping[str, OAuthApp] = field(default_factory=dict, repr=False)

    def secret(self, env_name: str) -> str | None:
        """The value of a credential variable, or None when it is not set."""
        value = self.environ.get(env_name)
        return value or None


def load_settings(
    env: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings from `env` (default: os.environ) over an optional .env file.

    The process environment wins over .env, and keyword overrides (from command-line
    options) win over both.
    """
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ if env is None else env)
    merged.update(overrides or {})

    def get(name: str) -> str:
        return merged.get(name) or _DEFAULTS[name]

    tz = _timezone(get("SIAR_TIMEZONE"))
    return Settings(
        database_url=get("SIAR_DATABASE_URL"),
        content_dir=Path(get("SIAR_CONTENT_DIR")),
        templates_dir=Path(get("SIAR_TEMPLATES_DIR")),
        timezone=tz,
        now=parse_now(merged.get("SIAR_NOW", ""), tz),
        allow_now=_flag("SIAR_ALLOW_NOW", get("SIAR_ALLOW_NOW")),
        outbox_dir=Path(get("SIAR_OUTBOX_DIR")),
        outbox_fallback=_flag("SIAR_OUTBOX_FALLBACK", get("SIAR_OUTBOX_FALLBACK")),
        max_lateness=timedelta(minutes=_positive_int("SIAR_MAX_LATENESS",
                                                     get("SIAR_MAX_LATENESS"))),
        media_dir=Path(get("SIAR_MEDIA_DIR")),
        media_base_url=get("SIAR_MEDIA_BASE_URL"),
        public_url=get("SIAR_PUBLIC_URL").rstrip("/"),
        secret_key=get("SIAR_SECRET_KEY"),
        secret_keys_old=tuple(k.strip() for k in get("SIAR_SECRET_KEYS_OLD").split(",")
                              if k.strip()),
        plan_days_ahead=_positive_int("SIAR_PLAN_DAYS_AHEAD", get("SIAR_PLAN_DAYS_AHEAD")),
        plan_at=get("SIAR_PLAN_AT"),
        plan_processes=_positive_int("SIAR_PLAN_PROCESSES", get("SIAR_PLAN_PROCESSES")),
        worker_concurrency=_positive_int(
            "SIAR_WORKER_CONCURRENCY", get("SIAR_WORKER_CONCURRENCY")),
        http_timeout=_positive_float("SIAR_HTTP_TIMEOUT", get("SIAR_HTTP_TIMEOUT")),
        max_attempts=_positive_int("SIAR_MAX_ATTEMPTS", get("SIAR_MAX_ATTEMPTS")),
        retry_base=_positive_float("SIAR_RETRY_BASE", get("SIAR_RETRY_BASE")),
        claim_lease=_positive_float("SIAR_CLAIM_LEASE", get("SIAR_CLAIM_LEASE")),
        api_urls=_api_urls(merged),
        log_level=get("SIAR_LOG_LEVEL").upper(),
        session_file=Path(get("SIAR_SESSION_FILE")).expanduser(),
        session_hours=_positive_int("SIAR_SESSION_HOURS", get("SIAR_SESSION_HOURS")),
        environ=merged,
        oauth_apps={key: OAuthApp(get(cid), get(secret), get(page).rstrip("/"))
                    for key, (cid, secret, page) in _OAUTH_APPS.items()
                    if get(cid) and get(secret)},
    )


def positive_int_setting(settings: Settings, name: str, default: int) -> int:
    """A whole-number setting a plugin declares (e.g. its hashtag cap), read from the
    same environment as the others; ConfigError when it is set but not positive."""
    value = settings.environ.get(name) or str(default)
    return _positive_int(name, value)


def parse_now(value: str, tz: ZoneInfo) -> datetime | None:
    """Parse SIAR_NOW / --now: ISO 8601, a date alone means local midnight."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"SIAR_NOW/--now tidak valid: {value!r} (contoh: 2024-02-10T09:00 atau "
            "2024-02-10T09:00+07:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SIAR_TIMEZONE tidak dikenal: {name!r} (contoh: Asia/Jakarta)") from None


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ConfigError(f"{name} harus bilangan bulat positif, bukan {value!r}")
    return number


def _flag(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "ya"):
        return True
    if text in ("0", "false", "no", "tidak", ""):
        return False
    raise ConfigError(f"{name} harus 1 atau 0, bukan {value!r}")


def _positive_float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if number <= 0:
        raise ConfigError(f"{name} harus angka positif, bukan {value!r}")
    return number
