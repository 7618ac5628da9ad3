"""SQLite storage of the local backend (stdlib ``sqlite3``, WAL).

``publish_batches`` and ``publish_batch_clips`` carry the deployed backend's
columns (plus a few the simulation needs: ``post_id``, ``sim_outcome``), so a
test can read the database exactly as one would read the deployed one. The
other tables (auth users, sessions, refresh tokens, API keys, stored stream
events, settings) belong to the local backend only.

One connection, used from the event loop's thread only: every statement is
short, and a transaction never spans an ``await``, so the publisher and the
HTTP handlers never see half a change. WAL lets tests read the file from
another process while the server writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS publish_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL UNIQUE,
    job_id TEXT,
    user_id TEXT,
    status TEXT NOT NULL DEFAULT 'processing',
    publish_mode TEXT NOT NULL DEFAULT 'now',
    total INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    current_index INTEGER NOT NULL DEFAULT 0,
    scheduled_for TEXT,
    account_id TEXT,
    publish_speed TEXT,
    error TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    started_at TEXT,
    completed_at TEXT,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS publish_batches_user_status
    ON publish_batches (user_id, status);
CREATE INDEX IF NOT EXISTS publish_batches_status ON publish_batches (status);
CREATE INDEX IF NOT EXISTS publish_batches_user_finished
    ON publish_batches (user_id, completed_at);

CREATE TABLE IF NOT EXISTS publish_batch_clips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL REFERENCES publish_batches (batch_id) ON DELETE CASCADE,
    clip_index INTEGER NOT NULL,
    post_id TEXT,
    url TEXT NOT NULL,
    title TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    metricool_post_id TEXT,
    facebook_post_id TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    uploaded_at TEXT,
    published_at TEXT,
    sim_outcome TEXT,
    UNIQUE (batch_id, clip_index)
);

CREATE TABLE IF NOT EXISTS publish_batch_events (
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (batch_id, seq)
) WITHOUT ROWID;

-- The account stream (GET /api/metricool/events): every event of a user's
-- batches again, in one sequence per database, plus each batch's creation; the
-- row id is the SSE id, so a client resumes across restarts with Last-Event-ID.
CREATE TABLE IF NOT EXISTS account_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS account_events_user ON account_events (user_id, id);

CREATE TABLE IF NOT EXISTS auth_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_sign_in_at TEXT
);

CREATE TABLE IF NOT EXISTS auth_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    created_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS auth_refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    parent TEXT,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_session ON auth_refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_parent ON auth_refresh_tokens (parent);

CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    label TEXT,
    scopes TEXT NOT NULL DEFAULT 'read,publish',
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

ALL_SCOPES = frozenset({"read", "publish"})


def sqlite_now() -> str:
    """SQLite's own timestamp shape (UTC, no zone): the deployed DB stores these."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso_now() -> str:
    """ISO 8601 with milliseconds and ``Z``, as JavaScript's ``toISOString``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def key_hash(key: str) -> str:
    """API keys are stored hashed: the DB file never holds a usable key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# scrypt cost: ~50 ms per hash, enough to make the table worthless to a thief.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return secrets.compare_digest(got.hex(), digest)


class Store:
    """The database: schema, transactions and the queries the server needs."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.executescript(SCHEMA)
        self._in_tx = False

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One atomic change; nested uses join the outer transaction."""
        if self._in_tx:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self.conn.execute(sql, args).fetchall())

    def run(self, sql: str, *args: Any) -> int:
        return self.conn.execute(sql, args).rowcount

    # ------------------------------------------------------------ settings

    def setting(self, name: str, factory: Any = None) -> str | None:
        """Read a setting; when missing and ``factory`` is given, create it once."""
        row = self.one("SELECT value FROM server_settings WHERE name = ?", name)
        if row is not None:
            return str(row["value"])
        if factory is None:
            return None
        value = str(factory())
        self.run("INSERT OR IGNORE INTO server_settings (name, value) VALUES (?, ?)", name, value)
        row = self.one("SELECT value FROM server_settings WHERE name = ?", name)
        return str(row["value"]) if row is not None else value

    # ------------------------------------------------------------ users

    def add_user(self, email: str, password: str, user_id: str | None = None) -> str:
        """Create a user (or reset the password of an existing one); returns its id."""
        email = email.strip()
        now = iso_now()
        digest = hash_password(password)
        with self.tx():
            row = self.one("SELECT id FROM auth_users WHERE email = ?", email)
            if row is not None:
                self.run(
                    "UPDATE auth_users SET password_hash = ?, updated_at = ? WHERE id = ?",
                    digest,
                    now,
                    row["id"],
                )
                return str(row["id"])
            new_id = user_id or str(uuid.uuid4())
            self.run(
                "INSERT INTO auth_users (id, email, password_hash, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                new_id,
                email,
                digest,
                now,
                now,
            )
            return new_id

    def user_by_email(self, email: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM auth_users WHERE email = ?", email.strip())

    def user_by_id(self, user_id: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM auth_users WHERE id = ?", user_id)

    # ------------------------------------------------------------ api keys

    def add_api_key(self, key: str, scopes: str = "read,publish", label: str | None = None) -> None:
        self.run(
            "INSERT OR REPLACE INTO api_keys (key_hash, label, scopes) VALUES (?, ?, ?)",
            key_hash(key),
            label,
            scopes,
        )

    def api_key_count(self) -> int:
        row = self.one("SELECT COUNT(*) AS n FROM api_keys")
        return int(row["n"]) if row is not None else 0

    def api_key_scopes(self, key: str) -> frozenset[str] | None:
        row = self.one("SELECT scopes FROM api_keys WHERE key_hash = ?", key_hash(key))
        if row is None:
            return None
        return frozenset(s.strip() for s in str(row["scopes"]).split(",") if s.strip())

    # ------------------------------------------------------------ events

    def last_event_seq(self, batch_id: str) -> int:
        row = self.one(
            "SELECT MAX(seq) AS seq FROM publish_batch_events WHERE batch_id = ?", batch_id
        )
        return int(row["seq"]) if row is not None and row["seq"] is not None else 0

    def append_event(self, batch_id: str, data: str) -> int:
        """Store one stream event; its ``seq`` is the SSE ``id`` (monotonic per batch)."""
        with self.tx():
            seq = self.last_event_seq(batch_id) + 1
            self.run(
                "INSERT INTO publish_batch_events (batch_id, seq, data, created_at)"
                " VALUES (?, ?, ?, ?)",
                batch_id,
                seq,
                data,
                time.time(),
            )
        return seq

    def events_after(self, batch_id: str, seq: int) -> list[tuple[int, str]]:
        rows = self.all(
            "SELECT seq, data FROM publish_batch_events WHERE batch_id = ? AND seq > ?"
            " ORDER BY seq",
            batch_id,
            seq,
        )
        return [(int(r["seq"]), str(r["data"])) for r in rows]

    # ------------------------------------------------------------ account events

    def append_account_event(self, user_id: str, batch_id: str, data: str) -> int:
        """Store one account-stream event; its row id is the SSE ``id`` (one
        sequence for the whole database, so it survives restarts)."""
        cursor = self.conn.execute(
            "INSERT INTO account_events (user_id, batch_id, data, created_at) VALUES (?, ?, ?, ?)",
            (user_id, batch_id, data, time.time()),
        )
        return int(cursor.lastrowid or 0)

    def last_account_event(self, user_id: str) -> int:
        row = self.one("SELECT MAX(id) AS id FROM account_events WHERE user_id = ?", user_id)
        return int(row["id"]) if row is not None and row["id"] is not None else 0

    def account_events_after(self, user_id: str, after: int, limit: int) -> list[tuple[int, str]]:
        rows = self.all(
            "SELECT id, data FROM account_events WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
            user_id,
            after,
            limit,
        )
        return [(int(r["id"]), str(r["data"])) for r in rows]
