"""Provider API keys: from the environment or the OS keyring, never from a file.

Each hosted provider has one environment variable (``RUNWAYML_API_SECRET``,
``GEMINI_API_KEY``, ``FAL_KEY``, ``REPLICATE_API_TOKEN``, ``LUMA_API_KEY``);
when it is unset the key comes from the OS keyring (service ``pickup``, user
name = the provider).  The environment wins.  A machine without a keyring
backend (a headless Linux box) gets a :class:`ConfigError` that says so and
what to do, never a traceback.  Keys are shown only masked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pickup.errors import ConfigError, InputError

__all__ = [
    "KEY_ENV",
    "SERVICE",
    "SecretStatus",
    "delete_secret",
    "get_secret",
    "mask",
    "require_secret",
    "secret_status",
    "set_secret",
]

#: keyring service name
SERVICE = "pickup"

#: provider -> the environment variable its key comes from (the providers' own names)
KEY_ENV: dict[str, str] = {
    "runway": "RUNWAYML_API_SECRET",
    "veo": "GEMINI_API_KEY",
    "fal": "FAL_KEY",
    "replicate": "REPLICATE_API_TOKEN",
    "luma": "LUMA_API_KEY",
    "minimax": "MINIMAX_API_KEY",
    "kling": "KLING_API_KEY",
    "ltx": "LTXV_API_KEY",
    "xai": "XAI_API_KEY",
}


@dataclass(frozen=True)
class SecretStatus:
    """Where a provider's key comes from, masked; ``keyring_error`` if the keyring failed."""

    provider: str
    env_var: str
    source: str | None  # "env", "keyring" or None
    masked: str | None
    keyring_error: str | None = None


def mask(secret: str) -> str:
    """``abcd…wxyz`` for long keys, ``****`` for short ones; never the whole key."""
    secret = secret.strip()
    if len(secret) < 12:
        return "****"
    return f"{secret[:4]}…{secret[-4:]}"


def _env_var(provider: str, env_var: str | None = None) -> str:
    if env_var:
        return env_var
    if provider not in KEY_ENV:
        raise InputError(f"provider {provider!r} takes no API key",
                         hint=f"providers with keys: {', '.join(KEY_ENV)}")
    return KEY_ENV[provider]


def _keyring_problem(exc: BaseException) -> str:
    import keyring

    try:
        kind = type(keyring.get_keyring())
        backend = f"{kind.__module__}.{kind.__name__}"
    except Exception:  # pragma: no cover - a backend that cannot even be named
        backend = "unknown"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = text.split(". ")[0].rstrip(".")
    return f"the OS keyring is not available ({backend}: {text})"


def _keyring_hint(provider: str, env_var: str) -> str:
    return (f"set {env_var} in the environment instead, or install a keyring backend "
            "(Secret Service / KWallet on Linux; `pip install keyrings.alt` for a file one)"
            f" and run `pickup auth set {provider}` again")


def _from_keyring(provider: str) -> tuple[str | None, str | None]:
    """(key, problem): the key from the keyring, or why the keyring could not be read."""
    try:
        import keyring
        import keyring.errors

        return keyring.get_password(SERVICE, provider), None
    except Exception as exc:  # keyring backends raise many kinds; all mean "not available"
        return None, _keyring_problem(exc)


def get_secret(provider: str, *, env_var: str | None = None) -> str | None:
    """The key for ``provider`` from the environment, else the keyring; None if neither."""
    var = _env_var(provider, env_var)
    value = os.environ.get(var, "").strip()
    if value:
        return value
    key, _problem = _from_keyring(provider)
    return key.strip() if key and key.strip() else None


def require_secret(provider: str, *, env_var: str | None = None) -> str:
    """Like :func:`get_secret` but a :class:`ConfigError` saying how to set the key."""
    var = _env_var(provider, env_var)
    value = os.environ.get(var, "").strip()
    if value:
        return value
    key, problem = _from_keyring(provider)
    if key and key.strip():
        return key.strip()
    if problem:
        raise ConfigError(f"no API key: {var} is not set and {problem}",
                          where=f"provider {provider}", hint=_keyring_hint(provider, var))
    raise ConfigError(f"no API key: {var} is not set and the OS keyring holds none",
                      where=f"provider {provider}",
                      hint=f"run `pickup auth set {provider}` or set {var}")


def secret_status(provider: str, *, env_var: str | None = None) -> SecretStatus:
    """Where the key of ``provider`` comes from, masked."""
    var = _env_var(provider, env_var)
    value = os.environ.get(var, "").strip()
    if value:
        return SecretStatus(provider, var, "env", mask(value))
    key, problem = _from_keyring(provider)
    if key and key.strip():
        return SecretStatus(provider, var, "keyring", mask(key))
    return SecretStatus(provider, var, None, None, keyring_error=problem)


def set_secret(provider: str, value: str) -> None:
    """Store ``value`` in the OS keyring for ``provider``."""
    var = _env_var(provider)
    value = value.strip()
    if not value:
        raise InputError("the key is empty", where=f"provider {provider}",
                         hint="paste the key when asked, or pipe it on stdin")
    if any(ch in value for ch in "\r\n\t ") :
        raise InputError("the key holds whitespace", where=f"provider {provider}",
                         hint="paste only the key itself")
    try:
        import keyring

        keyring.set_password(SERVICE, provider, value)
    except Exception as exc:
        raise ConfigError(f"cannot store the key: {_keyring_problem(exc)}",
                          where=f"provider {provider}", hint=_keyring_hint(provider, var)) from None


def delete_secret(provider: str) -> bool:
    """Remove the key of ``provider`` from the keyring; False if there was none."""
    var = _env_var(provider)
    try:
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(SERVICE, provider)
        except keyring.errors.PasswordDeleteError:
            return False
        return True
    except Exception as exc:
        raise ConfigError(f"cannot delete the key: {_keyring_problem(exc)}",
                          where=f"provider {provider}", hint=_keyring_hint(provider, var)) from None
