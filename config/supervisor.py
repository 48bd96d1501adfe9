"""`make run`: embedded services, migrations, demo hubs, then web + worker + beat until Ctrl-C.

Runs without Django loaded so it can stop everything it started, the embedded PostgreSQL and Redis
included, whatever happens to its children. Ctrl-C or SIGTERM stops the children first (so no
request or task is cut off mid-write), then Redis (saving its data) and PostgreSQL (a clean, fast
shutdown that loses nothing committed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from config import embedded
from config.env import env

STOP_GRACE_SECONDS = 20


def main() -> int:
    port = env("PORT", "8000")
    environ = dict(os.environ, PORT=port, PUBLIC_PORT=env("PUBLIC_PORT", port), PYTHONUNBUFFERED="1")
    environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    own_postgres = not env("DATABASE_URL")
    own_redis = not env("CELERY_BROKER_URL")
    python = sys.executable
    children: list[subprocess.Popen] = []
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    try:
        if own_postgres:
            embedded.ensure_postgres()
        if own_redis:
            embedded.ensure_redis()
        subprocess.run([python, "manage.py", "bootstrap", "--demo"], env=environ, check=True)
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-c",
                "platform/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                f"worker-{port}@%h",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--pidfile",
                str(embedded.var_dir() / "celerybeat.pid"),
            ],
        }
        for name, command in commands.items():
            # Own process group: Ctrl-C in the terminal reaches us only, and we stop children in order.
            children.append(subprocess.Popen(command, env=environ, start_new_session=True))
            print(f"started {name} (pid {children[-1].pid})", flush=True)
        _wait_for_web(port, children)
        _print_welcome(port)
        while not stopping:
            if any(child.poll() is not None for child in children):
                print("a process exited unexpectedly; stopping everything", file=sys.stderr, flush=True)
                break
            time.sleep(0.5)
    finally:
        _stop_children(children)
        if own_redis:
            embedded.stop_redis()
        if own_postgres:
            embedded.stop_postgres()
        print("stopped", flush=True)
    return 0


def _stop_children(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _wait_for_web(port: str, children: list[subprocess.Popen], timeout: float = 120) -> None:
    """Announce the URLs only once the platform's health check answers."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": env("PLATFORM_DOMAIN", "localhost")}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            return  # the main loop reports it
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)


def _print_welcome(port: str) -> None:
    from tenants.demo_accounts import DEMO_HUBS, DEMO_PASSWORD, PLATFORM_STAFF

    domain = env("PLATFORM_DOMAIN", "localhost")
    lines = [
        "",
        "Incubation hub platform is running:",
        f"  platform         http://{domain}:{port}/           console: http://{domain}:{port}/admin/",
        f"                   sign in as {PLATFORM_STAFF['email']} / {PLATFORM_STAFF['password']}",
    ]
    for hub in DEMO_HUBS:
        host = f"{hub['subdomain']}.{domain}:{port}"
        lines.append(f"  {hub['name']}  http://{host}/   back office: http://{host}/admin/")
        lines.append(f"                   sign in as {hub['admin_email']} / {DEMO_PASSWORD}")
        lines.append(f"                   organisation portal: http://{host}/portal/  as {hub['member_email']}")
        if hub.get("other_logins"):
            lines.append(f"                   also: {hub['other_logins']}")
    lines += ["", "Press Ctrl-C to stop everything (data is kept under var/).", "READY", ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
