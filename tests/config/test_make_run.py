"""`make run` end to end: its own embedded PostgreSQL and Redis, demo hubs, web, worker and beat.

Runs the real supervisor in a scratch var directory on a free port, talks HTTP to it, stops it with
SIGTERM and checks that nothing it started is left; then starts it again to show it keeps the data
and creates nothing twice.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, host: str, path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Run:
    def __init__(self, var: Path, port: int):
        self.var, self.port = var, port
        self.log = var.parent / f"run-{time.monotonic_ns()}.log"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
        env.update(HUBS_VAR_DIR=str(var), PORT=str(port), LOG_LEVEL="WARNING")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "config.supervisor"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text()

    def wait_ready(self, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "READY" in self.output():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"make run exited early:\n{self.output()[-3000:]}")
            time.sleep(0.5)
        raise AssertionError(f"make run not ready in {timeout}s:\n{self.output()[-3000:]}")

    def stop(self, timeout=60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def _started_pids(output: str) -> list[int]:
    return [int(line.rsplit("pid ", 1)[1].rstrip(")")) for line in output.splitlines() if line.startswith("started ")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent; treat it as gone.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _processes_using(var: Path) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(var) in line and "pytest" not in line]


def test_make_run_starts_everything_reaches_it_and_stops_cleanly(tmp_path):
    var = tmp_path / "var"
    port = _free_port()
    run = Run(var, port)
    try:
        run.wait_ready()
        output = run.output()
        for expected in ("jiangan.localhost", "guandu.localhost", "admin@jiangan.demo", "platform@hubs.localhost"):
            assert expected in output

        status, body = _get(port, "jiangan.localhost", "/healthz")
        health = json.loads(body)
        assert status == 200 and health["schema"] == "jiangan" and health["cache"] == "ok"
        # The Celery worker answers a ping through the embedded Redis once it has booted.
        deadline = time.monotonic() + 90
        while json.loads(_get(port, "jiangan.localhost", "/healthz?deep=1")[1])["workers"] < 1:
            assert time.monotonic() < deadline, "the Celery worker never answered"
            time.sleep(1)
        status, body = _get(port, "guandu.localhost", "/")
        assert status == 200 and "官渡区社会组织孵化基地" in body and "江岸区" not in body
        status, body = _get(port, "localhost", "/")
        assert status == 200 and "江岸区社会组织孵化基地" in body
        assert _get(port, "unknown.localhost", "/")[0] == 404
        assert (var / "postgres" / "PG_VERSION").exists() and (var / "redis" / "redis.sock").exists()
    finally:
        assert run.stop() == 0
    time.sleep(1)
    children = _started_pids(run.output())
    assert len(children) == 3 and not any(_alive(pid) for pid in children)
    assert _processes_using(var) == []
    assert not (var / "postgres" / "postmaster.pid").exists()

    again = Run(var, port)
    try:
        again.wait_ready()
        assert "created demo hub" not in again.output()
        status, body = _get(port, "localhost", "/")
        assert body.count("孵化基地</a>") == 2
    finally:
        assert again.stop() == 0
    time.sleep(1)
    assert _processes_using(var) == []
