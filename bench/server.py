"""A real server for the benchmarks that need one (concurrency, memory, worker starvation):
gunicorn in production mode, as docs/deployment.md runs it, on the benchmark's database, and
a small HTTP client that times requests against it.

    with Server(code=ROOT, workers=4, threads=2) as server:
        timing = server.get("/healthz")

`code` is the checkout whose code gunicorn serves: the working tree, or an older commit checked
out with `git worktree add /tmp/before <commit>` to measure "before" on the same data.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class Response(NamedTuple):
    status: int  # 0: no answer (connection reset, e.g. a worker killed at its timeout)
    size: int  # bytes of the body read
    seconds: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_peak_rss_mb(master_pid: int) -> float:
    """The largest peak resident memory (VmHWM) among the master's current worker processes."""
    peak = 0.0
    for task in Path(f"/proc/{master_pid}/task").glob("*"):
        children = task / "children"
        if not children.exists():
            continue
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


class Server:
    """gunicorn serving `code` with the current environment's DATABASE_URL (set by the
    benchmark's setup) in production mode. `memory_limit_mb`: an address-space limit per
    process (prlimit), so that an unbounded request fails inside its worker instead of taking
    the machine's memory from everyone else."""

    def __init__(self, *, code: Path = ROOT, workers: int = 4, threads: int = 2,
                 timeout: int = 30, memory_limit_mb: int = 3072, log: Path | None = None):
        self.code = Path(code)
        self.workers, self.threads, self.timeout = workers, threads, timeout
        self.memory_limit_mb = memory_limit_mb
        self.port = free_port()
        self.log = log or ROOT / "var" / "bench-server.log"
        self.process = None

    def __enter__(self) -> "Server":
        environment = {
            **os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false", "STATIC_MANIFEST": "false", "LOG_LEVEL": "WARNING",
            # The benchmark is one client address sending thousands of reads: not throttled.
            "ANON_READ_RATE": "0",
            "PYTHONPATH": str(self.code),
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "config.wsgi:application", "--chdir", str(self.code),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--threads", str(self.threads), "--timeout", str(self.timeout),
                   "--graceful-timeout", "5"]
        if self.memory_limit_mb:
            command = ["prlimit", f"--as={self.memory_limit_mb * 1024 * 1024}", *command]
        self.log.parent.mkdir(exist_ok=True)
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(command, env=environment, cwd=self.code,  # noqa: S603
                                        stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            if self.get("/healthz", timeout=2).status == 200:
                return self
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def peak_rss_mb(self) -> float:
        return worker_peak_rss_mb(self.process.pid) if self.process else 0.0

    def get(self, path: str, *, timeout: float = 120, headers: dict | None = None) -> Response:
        """One GET on a new connection; the body is read and counted, not kept."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = connection.getresponse()
            size = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
            return Response(response.status, size, time.perf_counter() - started)
        except (OSError, http.client.HTTPException):
            return Response(0, 0, time.perf_counter() - started)
        finally:
            connection.close()
