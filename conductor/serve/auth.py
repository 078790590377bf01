"""Who may call the server: one API key from the environment, compared in constant time.

The key is read once at start from the variable `--api-key-env` names (default CONDUCTOR_API_KEY) and never
printed. Without a key the server refuses to start, unless `--no-auth` is given and it listens on a loopback
address only (then nobody off the machine can reach it). GET /health needs no key (it says nothing a caller
could misuse); everything under /v1 does.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from conductor.errors import ConductorError

DEFAULT_KEY_ENV = "CONDUCTOR_API_KEY"


class AuthSetupError(ConductorError):
    """The server would start without protection it needs."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_key(key_env: str, no_auth: bool, host: str) -> str | None:
    """The key every request must present, or None for `--no-auth` on loopback. Raises AuthSetupError."""
    if no_auth:
        if not is_loopback(host):
            raise AuthSetupError(f"--no-auth is only allowed on a loopback address, not {host!r}")
        return None
    key = os.environ.get(key_env, "")
    if not key:
        raise AuthSetupError(
            f"no API key: set {key_env} (clients send it as Authorization: Bearer <key>), or use --no-auth on 127.0.0.1"
        )
    return key


def authorized(expected: str | None, header: str | None) -> bool:
    """Whether an Authorization header carries the key (constant time in the key's content)."""
    if expected is None:
        return True
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())
