"""Settings: built-in defaults, then a TOML file (path in MDT_CONFIG), then MDT_* variables.

Each TOML table groups settings; a key ``k`` in table ``[t]`` becomes the Flask setting
``T_K`` (keys in ``[app]`` keep their own name), and the environment variable ``MDT_T_K``
overrides it. ``config.example.toml`` documents every one.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    # [app]
    "SECRET_KEY": "",
    "DEMO": False,
    "BASE_URL": "http://127.0.0.1:5000",
    "SERVICE_NAME": "MDT Coordinator",
    # [database]
    "DATABASE_URL": "sqlite:///instance/mdt.db",
    "DATABASE_ECHO": False,
    "DATABASE_STATEMENT_TIMEOUT_MS": 30000,
    # [mail]
    "MAIL_TRANSPORT": "smtp",
    "MAIL_SENDER": "MDT Coordinator <mdt@localhost>",
    "MAIL_SMTP_HOST": "localhost",
    "MAIL_SMTP_PORT": 25,
    "MAIL_SMTP_USERNAME": "",
    "MAIL_SMTP_PASSWORD": "",
    "MAIL_SMTP_STARTTLS": False,
    "MAIL_SMTP_TIMEOUT": 10,
    "MAIL_FOLDER": "instance/mail",
    # [security]
    "SECURITY_SESSION_HOURS": 12,
    "SECURITY_IDLE_MINUTES": 60,
    "SECURITY_LOGIN_MAX_FAILURES": 10,
    "SECURITY_LOGIN_WINDOW_MINUTES": 15,
    "SECURITY_LOGIN_LOCKOUT_MINUTES": 15,
    "SECURITY_PASSWORD_LINK_HOURS": 72,
    "SECURITY_REQUIRE_SECOND_FACTOR": False,
    "SECURITY_REAUTH_MINUTES": 10,
    "SECURITY_RATE_LIMIT_STORAGE_URI": "memory://",
    "SECURITY_RATE_LIMIT_SIGN_IN": "10 per minute; 50 per hour",
    "SECURITY_RATE_LIMIT_PASSWORD_LINK": "10 per minute; 50 per hour",
    "SECURITY_RATE_LIMIT_FEED": "20 per minute; 200 per hour",
    # [webauthn]: passkeys. The relying party id is the host name passkeys are bound to, and
    # the origin the address browsers show; the defaults suit `make run` opened at
    # http://localhost:5000 (browsers refuse passkeys on a bare IP address such as 127.0.0.1).
    "WEBAUTHN_RP_ID": "localhost",
    "WEBAUTHN_ORIGIN": "http://localhost:5000",
    # [server]
    "SERVER_HOST": "127.0.0.1",
    "SERVER_PORT": 5000,
    "SERVER_WORKERS": 2,
    "SERVER_TRUSTED_PROXIES": 0,
    # [scheduler]
    "SCHEDULER_TIME_ZONE": "Europe/London",
    "SCHEDULER_STALE_MINUTES": 3,
    "SCHEDULER_DELIVERY_SECONDS": 50,
    # [backup]
    "BACKUP_DIRECTORY": "",
    "BACKUP_HOUR": 2,
    "BACKUP_KEEP": 7,
    "BACKUP_HOLD_MAIL_OLDER_THAN_MINUTES": 0,
    # [reminders]
    "REMINDERS_DIGEST_TIME": "07:30",
    # [calendar]
    "CALENDAR_UID_DOMAIN": "",
    # [retention]
    "RETENTION_PATIENT_YEARS": 8,
    "RETENTION_AUDIT_YEARS": 8,
    "RETENTION_RUN_AT": "02:30",
    "RETENTION_BATCH_SIZE": 100,
    "RETENTION_HASH_KEY": "",
    # [fhir]
    "FHIR_RATE_LIMIT": 120,
    # [bench]
    "BENCH_FLOOR": False,
    # [[oidc.providers]]: OpenID Connect providers (NHS CIS2, Entra ID); none: passwords only.
    "OIDC_PROVIDERS": [],
}

ENV_PREFIX = "MDT_"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message is one line for the operator."""


def flatten(tables: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for table, values in tables.items():
        if not isinstance(values, dict):
            raise ConfigError(f"config: '{table}' must be a table such as [app]")
        prefix = "" if table == "app" else f"{table.upper()}_"
        for key, value in values.items():
            flat[prefix + key.upper()] = value
    return flat


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, list):
        raise ConfigError(f"{ENV_PREFIX}{name} cannot be set from the environment: use the TOML")
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
    return raw


def load_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = dict(os.environ if environ is None else environ)
    settings = dict(DEFAULTS)
    path = environ.get("MDT_CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                settings.update(flatten(tomllib.load(fh)))
        except FileNotFoundError:
            raise ConfigError(f"MDT_CONFIG names {path}, which does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    for name, default in DEFAULTS.items():
        if ENV_PREFIX + name in environ:
            settings[name] = _coerce(name, environ[ENV_PREFIX + name], default)
    return settings


def resolve_secret_key(settings: dict[str, Any], instance_path: str) -> str:
    """Production refuses to start without a key; the demo keeps a generated one in instance/."""
    if settings.get("SECRET_KEY"):
        return str(settings["SECRET_KEY"])
    if not settings.get("DEMO") and not settings.get("TESTING"):
        raise ConfigError(
            "No secret key: set secret_key in the [app] table of MDT_CONFIG or MDT_SECRET_KEY "
            "(or MDT_DEMO=true to run the demo)"
        )
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
