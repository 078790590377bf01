"""The server processes the benchmarks start: the SIMULATED pool and `conductor serve`, each in its own
process group so that stopping it also stops whatever it started (a server's reloader or workers), and so
the benchmark's own interpreter never shares an event loop or the GIL with a server it measures.

    with SimPoolProcess(tasks_path, latency=0.5) as sim:      # sim.url ends in /v1
        with ConductorProcess(checkpoint, pool_file, env={...}) as server:
            ...

One home for starting and stopping them (benchmarks.executor and benchmarks.serve both use it).
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import Self


class GroupProcess:
    """A command started in a new session (its own process group), stopped as a group: SIGTERM, then SIGKILL
    if it has not exited within `grace_s`.

    Its stdout and stderr are read all the time by a thread (a server whose pipe fills up blocks in the middle
    of a measurement); the last lines are kept in `tail` for the error when it does not start."""

    def __init__(self, cmd: list[str], *, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self.tail: deque[str] = deque(maxlen=200)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._watching = True
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.tail.append(line)
            if self._watching:
                self._lines.put(line)
        self._lines.put(None)

    def wait_for_line(self, prefix: str, timeout_s: float) -> str:
        """The first line the process writes that starts with `prefix` (a server's "listening on ..." line);
        RuntimeError with its last output if it exits or stays silent for `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                raise RuntimeError(f"{self.proc.args!r} did not start:\n" + "".join(self.tail)[-4000:])
            if line.startswith(prefix):
                self._watching = False
                return line

    def stop(self, grace_s: float = 10.0) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def free_port() -> int:
    """A port nothing listens on now (the OS's pick), for a server that must be told its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SimPoolProcess(GroupProcess):
    """`python -m conductor.sim.server` with `latency` seconds added to every call; returns once /health answers."""

    def __init__(self, tasks_path: Path, latency: float, *, start_timeout_s: float = 60.0) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "conductor.sim.server", "--tasks", str(tasks_path), "--port", str(self.port)]
        super().__init__([*cmd, "--extra-latency-s", str(latency)])
        self.url = f"http://127.0.0.1:{self.port}/v1"
        deadline = time.monotonic() + start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("simulated pool exited:\n" + "".join(self.tail)[-2000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("simulated pool did not start")


class ConductorProcess(GroupProcess):
    """`conductor serve --port 0` on `pool_file`; returns once it prints the address it listens on (`url` ends
    in /v1). `extra` are further `conductor serve` arguments."""

    def __init__(
        self, checkpoint: str, pool_file: Path, extra: list[str], *, env: dict[str, str], start_timeout_s: float = 300
    ) -> None:
        cmd = [sys.executable, "-m", "conductor.cli", "serve", "--checkpoint", checkpoint, "--pool", str(pool_file)]
        super().__init__([*cmd, "--port", "0", *extra], env={**env, "PYTHONUNBUFFERED": "1"})
        self.url = self.wait_for_line("listening on ", start_timeout_s).split()[-1] + "/v1"
