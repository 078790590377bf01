"""An optional on-disk cache of worker calls: one SQLite file, keyed by everything that decides the answer.

Why: evaluation re-runs and repeated identical calls (the same step of the same plan in a GRPO group) should
cost nothing. The key is a SHA-256 of (model, base_url, messages, temperature, max_tokens, seed, extra_body):
change any of them and it is a different call. Only successful answers are stored; a fault is never cached.
A hit is returned with `cached=True` and zero cost; its token counts are those of the original call.

The file is in WAL mode so several processes may read it while one writes; a write that meets a lock is
skipped (the cache is an optimisation, never a reason to fail a call).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class CachedAnswer(BaseModel):
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None = None


def cache_key(
    model: str,
    base_url: str | None,
    messages: list[dict[str, Any]],
    temperature: float,
    max_tokens: int,
    seed: int | None,
    extra_body: dict[str, Any] | None,
) -> str:
    payload = [model, base_url or "", messages, temperature, max_tokens, seed, extra_body or {}]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CallCache:
    """get/put by key; counts hits and misses for this process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._con = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, model TEXT, answer TEXT, created REAL)"
        )
        self._con.commit()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            row = self._con.execute("SELECT answer FROM calls WHERE key = ?", (key,)).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return CachedAnswer.model_validate_json(row[0])

    def put(self, key: str, model: str, answer: CachedAnswer) -> None:
        with self._lock:
            try:
                self._con.execute(
                    "INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?)",
                    (key, model, answer.model_dump_json(), time.time()),
                )
                self._con.commit()
            except sqlite3.OperationalError:
                self._con.rollback()

    def __len__(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._con.close()
