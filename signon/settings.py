"""Every setting Signon reads, in one place (SPEC section 3).

Values come from the environment (or a `.env` file beside the project). No other module
reads `os.environ`. Importing this module never fails: checks that need a value (the
production secret, the database) happen where the value is used, so `signon --help`
works with no configuration at all.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

# A .env file beside the project is read when present (python-dotenv format).
config = Config(".env" if Path(".env").is_file() else None)

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(config("SIGNON_VAR_DIR", default=str(Path.cwd() / "var")))

SIGNON_ENV: str = config("SIGNON_ENV", default="development")
DATABASE_URL: str | None = config("DATABASE_URL", default=None)
TEST_DATABASE_URL: str | None = config("TEST_DATABASE_URL", default=None)
BASE_URL: str = config("BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
SMTP_URL: str | None = config("SMTP_URL", default=None)
MAIL_FROM: str = config("MAIL_FROM", default="Signon <signon@localhost>")
REDIS_URL: str | None = config("REDIS_URL", default=None)
SIGN_RATE_LIMIT: str = config("SIGN_RATE_LIMIT", default="20/hour")
MIN_FILL_SECONDS: float = config("MIN_FILL_SECONDS", cast=float, default=3.0)
TOKEN_MAX_AGE_DAYS: int = config("TOKEN_MAX_AGE_DAYS", cast=int, default=14)
PORT: int = config("PORT", cast=int, default=8000)
# Invitations sent per minute by the worker (reminders included), and how long their links work.
INVITE_RATE: int = config("INVITE_RATE", cast=int, default=60)
INVITE_MAX_AGE_DAYS: int = config("INVITE_MAX_AGE_DAYS", cast=int, default=60)
_SECRET_KEY: Secret | None = config("SECRET_KEY", cast=Secret, default=None)
# Operations (SPEC section 3, docs/deploy.md): which proxies' forwarded headers are trusted
# (none by default, so no client can forge its address), asyncpg's statement cache (off
# behind PgBouncer in transaction pooling mode) and the log format.
FORWARDED_ALLOW_IPS: str = config("FORWARDED_ALLOW_IPS", default="")
DATABASE_STATEMENT_CACHE: str = config("DATABASE_STATEMENT_CACHE", default="on")
LOG_FORMAT: str = config("LOG_FORMAT", default="text")

# Staff sessions last a working day; the cookie is re-issued on every request.
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60
# Login throttle: failures allowed in the window, per account from one client address
# and per client address (signon/staff.py says why never per account alone).
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
# Confirmation emails one address may be sent in a day, over every campaign: anyone can
# type anyone's address into a sign form, and each email carries text they chose.
CONFIRM_EMAILS_PER_ADDRESS_PER_DAY = 10

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "placeholder", "xxx", "dev"}
DEVELOPMENT_ENVS = {"development", "test"}

# How long each web process may replay a count JSON response: at most the 2 s SPEC
# section 4 allows. Off in development and tests, where a count should show a change at once.
PUBLIC_CACHE_SECONDS: float = min(
    2.0,
    config(
        "PUBLIC_CACHE_SECONDS",
        cast=float,
        default=0.0 if SIGNON_ENV in DEVELOPMENT_ENVS else 2.0,
    ),
)


class ConfigurationError(Exception):
    """A setting is missing or unsafe; the message is one line a person can act on."""


def is_production() -> bool:
    return SIGNON_ENV not in DEVELOPMENT_ENVS


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value.strip().lower() not in choices:
        raise ConfigurationError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value.strip().lower()


def statement_cache() -> bool:
    """False when DATABASE_STATEMENT_CACHE=off: PgBouncer's transaction pooling hands each
    transaction any server connection, where another client's named statements live."""
    return _choice("DATABASE_STATEMENT_CACHE", DATABASE_STATEMENT_CACHE, ("on", "off")) == "on"


def log_format() -> str:
    return _choice("LOG_FORMAT", LOG_FORMAT, ("text", "json"))


def secret_key() -> str:
    """The key that signs sessions and tokens.

    In production it must be set and not a placeholder; in development one is generated
    once and kept in ./var/secret_key so sessions survive restarts.
    """
    if _SECRET_KEY is not None:
        value = str(_SECRET_KEY)
        if is_production() and (value.lower() in PLACEHOLDER_SECRETS or len(value) < 32):
            raise ConfigurationError(
                "SECRET_KEY is a placeholder or shorter than 32 characters; set a long random "
                "value, e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value
    if is_production():
        raise ConfigurationError("SECRET_KEY must be set when SIGNON_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
