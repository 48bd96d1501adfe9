"""`make bench [ONLY=name]`: run every bench/*.py script (or one), each printing one JSON line."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    if argv:
        unknown = [name for name in argv if name not in names]
        if unknown:
            print(f"unknown bench {unknown}; available: {names}", file=sys.stderr)
            return 2
        names = argv
    failed = 0
    for name in names:
        failed |= subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent).returncode
    # The benches' subprocesses start the embedded servers and leave them for the next one; stop them now.
    subprocess.run([sys.executable, "-c", STOP], cwd=HERE.parent, check=False)
    return failed


STOP = (
    "import os\n"
    "from config import embedded\n"
    "if not os.environ.get('DATABASE_URL'):\n"
    "    embedded.stop_all()\n"
)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
