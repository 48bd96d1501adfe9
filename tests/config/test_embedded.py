"""`make test` and `make bench` leave nothing running (issue 11, part 8): the embedded servers a run started
stop with it; a server it found running is left alone."""

import subprocess
import sys

from django.conf import settings


def test_a_run_stops_the_servers_it_started_and_only_those(tmp_path):
    code = (
        "from config import embedded\n"
        "embedded.ensure_redis()\n"
        "assert embedded._redis_ping()\n"
        "embedded.stop_started()\n"
        "print(embedded._redis_ping())\n"
    )
    env = {"HUBS_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert run.stdout.split() == ["False"], run.stderr
    # Started by someone else, then attached to: left running.
    keep = subprocess.run(
        [sys.executable, "-c", "from config import embedded; embedded.ensure_redis()"], cwd=settings.BASE_DIR, env=env
    )
    assert keep.returncode == 0
    attach = code.replace("print(embedded._redis_ping())", "print(embedded._redis_ping()); embedded.stop_redis()")
    run = subprocess.run([sys.executable, "-c", attach], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert run.stdout.split() == ["True"], run.stderr
