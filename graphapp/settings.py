"""Configuration, read once from the environment with safe defaults (DESIGN.md section 6)."""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STORE_ALLOCATORS = ("auto", "jemalloc", "system")


class ConfigError(Exception):
    """The configuration cannot work; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    """Everything the app, the CLI and the store need to find their data."""

    #: Holds the embedded graph, the SQLite accounts database and the key files.
    data_dir: Path
    #: Empty for the embedded FalkorDB; ``bolt://`` or ``neo4j://`` for Neo4j.
    graph_url: str = ""
    graph_user: str = "neo4j"
    graph_password: str = field(default="", repr=False)
    #: Name of the graph (FalkorDB graph key, Neo4j database).
    graph_name: str = "casegraph"
    #: SQLAlchemy URL for accounts and audit; SQLite in the data directory by default.
    database_url: str = ""
    secret_key: str = field(default="", repr=False)
    #: Seconds a client waits for one store reply (redis-py's default of 5 s is too short).
    store_timeout: float = 60.0
    #: Seconds a write may take before its client gives up on the answer. A write is never
    #: sent again (it keeps running on the server), and a million-row batch's commit takes
    #: minutes: much longer than a read may.
    store_write_timeout: float = 3600.0
    #: The embedded server's memory allocator: ``auto`` (jemalloc when the system has
    #: it, else the C library's), ``jemalloc`` (refuse to start without it) or ``system``.
    store_allocator: str = "auto"
    cypher_dir: Path = PROJECT_ROOT / "cypher"
    #: Where the audit chain's head is written outside the database; shared storage when
    #: several app servers write one log. Empty: ``audit.anchor`` in the data directory.
    audit_anchor: str = ""
    #: Send the session cookie with ``Secure`` (set when the app is served over TLS).
    secure_cookies: bool = False
    #: A web session ends after this long without a request, and this long after log-in.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted
    #: (werkzeug's ProxyFix), so the audit log names the real client; 0: none, use the peer.
    proxy_hops: int = 0
    #: Per-client request rate limits (graphapp/ratelimits.py); off only for load tests.
    rate_limits: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from ``CASEGRAPH_*`` variables; ``overrides`` win (tests use them)."""
        env = os.environ if environ is None else environ
        values: dict = {
            "data_dir": Path(env.get("CASEGRAPH_DATA_DIR", "instance")).resolve(),
            "graph_url": env.get("CASEGRAPH_GRAPH_URL", ""),
            "graph_user": env.get("CASEGRAPH_GRAPH_USER", "neo4j"),
            "graph_password": env.get("CASEGRAPH_GRAPH_PASSWORD", ""),
            "graph_name": env.get("CASEGRAPH_GRAPH_NAME", "casegraph"),
            "database_url": env.get("CASEGRAPH_DATABASE_URL", ""),
            "secret_key": env.get("CASEGRAPH_SECRET_KEY", ""),
        }
        if env.get("CASEGRAPH_AUDIT_ANCHOR"):
            values["audit_anchor"] = env["CASEGRAPH_AUDIT_ANCHOR"]
        if env.get("CASEGRAPH_CYPHER_DIR"):
            values["cypher_dir"] = Path(env["CASEGRAPH_CYPHER_DIR"])
        for name, key in (("CASEGRAPH_STORE_TIMEOUT", "store_timeout"),
                          ("CASEGRAPH_STORE_WRITE_TIMEOUT", "store_write_timeout")):
            if name in env:
                try:
                    values[key] = float(env[name])
                except ValueError as exc:
                    raise ConfigError(f"{name} must be a number of seconds") from exc
        if "CASEGRAPH_STORE_ALLOCATOR" in env:
            values["store_allocator"] = env["CASEGRAPH_STORE_ALLOCATOR"].strip().lower()
            if values["store_allocator"] not in STORE_ALLOCATORS:
                raise ConfigError(
                    "CASEGRAPH_STORE_ALLOCATOR must be one of " + ", ".join(STORE_ALLOCATORS)
                )
        if "CASEGRAPH_SECURE_COOKIES" in env:
            values["secure_cookies"] = _flag(env, "CASEGRAPH_SECURE_COOKIES")
        for name, key in (("CASEGRAPH_SESSION_IDLE_MINUTES", "session_idle_minutes"),
                          ("CASEGRAPH_SESSION_ABSOLUTE_HOURS", "session_absolute_hours")):
            if name in env:
                values[key] = _positive_int(env, name)
        if "CASEGRAPH_PROXY_HOPS" in env:
            try:
                values["proxy_hops"] = int(env["CASEGRAPH_PROXY_HOPS"])
            except ValueError as exc:
                raise ConfigError("CASEGRAPH_PROXY_HOPS must be a whole number") from exc
            if not 0 <= values["proxy_hops"] <= 5:
                raise ConfigError("CASEGRAPH_PROXY_HOPS must be between 0 and 5")
        if "CASEGRAPH_RATE_LIMITS" in env:
            values["rate_limits"] = _flag(env, "CASEGRAPH_RATE_LIMITS")
        values.update(overrides)
        values["data_dir"] = Path(values["data_dir"]).resolve()
        if values["graph_url"] and not values["graph_url"].startswith(
            ("bolt://", "bolt+s://", "neo4j://", "neo4j+s://")
        ):
            raise ConfigError(
                f"CASEGRAPH_GRAPH_URL must start with bolt:// or neo4j://, got {values['graph_url']!r}"
            )
        return cls(**values)

    @functools.cached_property
    def sqlalchemy_url(self) -> str:  # every request's database access asks
        return self.database_url or f"sqlite:///{self.data_dir / 'casegraph.sqlite'}"

    @property
    def graph_file(self) -> Path:
        return self.data_dir / "graph" / "casegraph.db"

    @property
    def lock_dir(self) -> Path:
        return self.data_dir / "locks"

    def ensure_data_dir(self) -> None:
        """Create the data directory tree, readable by its owner only."""
        for path in (self.data_dir, self.graph_file.parent, self.lock_dir, self.data_dir / "keys"):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)

    def key_file(self, name: str) -> Path:
        return self.data_dir / "keys" / name

    def read_or_create_key(self, name: str, nbytes: int = 32) -> bytes:
        """Return a secret kept in the data directory, creating it (mode 0600) on first use."""
        path = self.key_file(name)
        if not path.exists():
            self.ensure_data_dir()
            # Written whole under a temporary name, then linked into place: another process
            # never reads a half-written key, and only the first of two writers wins.
            tmp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(nbytes))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(f"{path} must be readable by its owner only (mode {oct(mode)})")
        return bytes.fromhex(path.read_text().strip())

    def flask_secret_key(self) -> str:
        """The session-signing key: from the environment, else generated once in the data dir."""
        if self.secret_key:
            return self.secret_key
        return self.read_or_create_key("secret_key").hex()

    def match_key(self) -> bytes:
        """Server key for HMAC person match keys (DESIGN.md section 3)."""
        return self.read_or_create_key("match_key")

    def export_signing_seed(self) -> bytes:
        """The 32-byte seed of the installation's Ed25519 key that signs export manifests
        (graphapp.export.manifest): created once, mode 0600, like the other keys."""
        return self.read_or_create_key("export_signing_key", 32)

    @property
    def export_dir(self) -> Path:
        """Where export packages are kept, one owner-only directory each (graphapp.services.exports)."""
        return self.data_dir / "exports"


def _flag(env, name: str) -> bool:
    value = env[name].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {env[name]!r}")


def _positive_int(env, name: str) -> int:
    try:
        value = int(env[name])
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc
    if value < 1:
        raise ConfigError(f"{name} must be at least 1")
    return value
