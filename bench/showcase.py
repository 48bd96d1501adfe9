"""The public showcase under gunicorn: requests per second and latency of `/` and `/projects/` of a demo hub,
next to a bare view served by the same processes (`/_floor`, the whole middleware stack and nothing else).

Starts gunicorn exactly as `make run` does (platform/gunicorn.conf.py, WEB_CONCURRENCY workers x WEB_THREADS
threads) on a free port of 127.0.0.1, against the bench's embedded PostgreSQL/Redis with the demo hubs; warms
up; then 10 keep-alive clients (threads) hit each path in turn for a few seconds, over interleaved rounds so
each path sees the same machine noise. Anonymous clients without cookies: what a visitor from a WeChat link
is. Also times `/` and `/projects/` rendered without the cache, in this process (`*_uncached_ms`, median, and
their queries), and counts the queries of a cached `/`. Prints one JSON line; stops gunicorn (and the embedded
servers if it started them).

`BENCH_CLIENTS` (10), `BENCH_ROUNDS` (3), `BENCH_SECONDS` (2 per path per round) change the load;
`SHOWCASE_CACHE_SECONDS=0` measures the pages uncached under the same load.
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench._setup import django_ready

ROOT = Path(__file__).resolve().parent.parent
PATHS = {"floor": "/_floor", "home": "/", "projects": "/projects/"}
CACHE_HEADER = "X-Showcase-Cache"


def main() -> None:
    os.environ.setdefault("HUBS_VAR_DIR", "var/bench")
    from config import embedded

    own_postgres, own_redis = not embedded.postgres_running(), not embedded._redis_ping()
    gunicorn = None
    try:
        django_ready()
        from django.db import connections

        host, other_host, other_name = _demo_hubs()
        hit_queries = _queries_on_a_hit(host)
        uncached = {name: _uncached(host, PATHS[name]) for name in ("home", "projects")}
        connections.close_all()

        port = _free_port()
        gunicorn = _start_gunicorn(port)
        _wait_until_up(port, host, gunicorn)
        clients = int(os.environ.get("BENCH_CLIENTS", "10"))
        rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
        seconds = float(os.environ.get("BENCH_SECONDS", "2"))

        for path in PATHS.values():  # warm up: imports, connections, templates, the cache
            _load(port, host, path, clients=2, seconds=0.5)
        isolated = other_name not in _get(port, other_host, "/")[1] if other_host else None

        results = {name: {"latencies": [], "elapsed": 0.0, "statuses": Counter(), "cache": Counter()} for name in PATHS}
        for _ in range(rounds):
            for name, path in PATHS.items():
                run = _load(port, host, path, clients=clients, seconds=seconds)
                for key in ("latencies", "elapsed", "statuses", "cache"):
                    results[name][key] += run[key]
    finally:
        if gunicorn is not None:
            _stop(gunicorn)
        _stop_embedded(own_postgres, own_redis)

    figures = {"clients": clients}
    for name, run in results.items():
        latencies = sorted(run["latencies"])
        figures[f"{name}_rps"] = round(len(latencies) / run["elapsed"], 1)
        figures[f"{name}_p50_ms"] = round(statistics.median(latencies) * 1000, 1)
        figures[f"{name}_p95_ms"] = round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1)
        if name != "floor":
            figures[f"{name}_status"] = run["statuses"].most_common(1)[0][0]
    for name in ("home", "projects"):
        figures[f"{name}_vs_floor"] = round(figures["floor_rps"] / figures[f"{name}_rps"], 2)
    figures["target_ratio"] = 3
    figures["target_p95_ms"] = 50
    figures["targets_met"] = all(
        figures[f"{name}_vs_floor"] <= figures["target_ratio"] and figures[f"{name}_p95_ms"] < figures["target_p95_ms"]
        for name in ("home", "projects")
    )
    cached = results["home"]["cache"] + results["projects"]["cache"]
    figures["cache_hit_ratio"] = round(cached["hit"] / max(1, sum(cached.values())), 3)
    figures["home_hit_queries"] = hit_queries
    for name, (milliseconds, queries) in uncached.items():
        figures[f"{name}_uncached_ms"] = milliseconds
        figures[f"{name}_uncached_queries"] = queries
    figures["hubs_isolated"] = isolated
    figures["workers"] = int(os.environ.get("WEB_CONCURRENCY", "2"))
    figures["threads"] = int(os.environ.get("WEB_THREADS", "4"))
    print(json.dumps(figures))


def _demo_hubs() -> tuple[str, str | None, str | None]:
    """Make sure the demo hubs and their content exist; the host of the first, the host and name of the second."""
    from tenants.demo import DEMO_HUBS, demo_domain, ensure_demo_hubs

    ensure_demo_hubs()
    first, second = DEMO_HUBS[0], DEMO_HUBS[1] if len(DEMO_HUBS) > 1 else None
    if second is None:
        return demo_domain(first["subdomain"]), None, None
    return demo_domain(first["subdomain"]), demo_domain(second["subdomain"]), first["name"]


def _queries_on_a_hit(host: str) -> int:
    """Database queries of a cached `/` (in this process; the tenant lookup is the only one expected)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        # A hub's very first page may create its settings rows, which bumps its version: ask until it is cached.
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                response = Client().get("/", HTTP_HOST=host)
            if response.headers.get(CACHE_HEADER) == "hit":
                return len(captured)
        return -1
    finally:
        connection.set_schema_to_public()


def _uncached(host: str, path: str, times: int = 15) -> tuple[float, int]:
    """Median time and queries of rendering `path` with the page cache off (in this process, one at a time)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    timings = []
    try:
        with override_settings(SHOWCASE_CACHE_SECONDS=0):
            for _ in range(times):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    Client().get(path, HTTP_HOST=host)
                    timings.append(time.perf_counter() - started)
    finally:
        connection.set_schema_to_public()
    return round(statistics.median(timings) * 1000, 1), len(captured)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    """The web command of config/supervisor.py (`make run`), on 127.0.0.1 only."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "platform/gunicorn.conf.py"]
    # No control socket: gunicorn's default (~/.gunicorn/gunicorn.ctl) is shared with any other gunicorn here.
    command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket"]
    environ = dict(os.environ, PORT=str(port), PUBLIC_PORT=str(port), LOG_LEVEL="WARNING")
    environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _wait_until_up(port: int, host: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if _get(port, host, "/_floor")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _stop_embedded(own_postgres: bool, own_redis: bool) -> None:
    from config import embedded

    if own_postgres or own_redis:
        from django.db import connections

        connections.close_all()
    if own_redis:
        embedded.stop_redis()
    if own_postgres:
        embedded.stop_postgres()


def _get(port: int, host: str, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _load(port: int, host: str, path: str, *, clients: int, seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, requesting `path` until time is up."""
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]
    per_client = [{"latencies": [], "statuses": Counter(), "cache": Counter()} for _ in range(clients)]

    def client(figures: dict) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": host, "Accept": "text/html"}
        start.wait()
        try:
            while (before := time.perf_counter()) < stop_at[0]:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                figures["latencies"].append(time.perf_counter() - before)
                figures["statuses"][response.status] += 1
                figures["cache"][response.getheader(CACHE_HEADER) or "none"] += 1
                if response.will_close:
                    connection.close()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(figures,)) for figures in per_client]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged = {"latencies": [], "statuses": Counter(), "cache": Counter(), "elapsed": elapsed}
    for figures in per_client:
        merged["latencies"] += figures["latencies"]
        merged["statuses"] += figures["statuses"]
        merged["cache"] += figures["cache"]
    return merged


if __name__ == "__main__":
    main()
