"""`make bench`: runs every benchmark in this folder, one after the other, each standalone."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["directory.py", "search.py", "ideas.py", "projects.py", "portfolio.py",
              "sensorthings.py", "sta_clients.py", "sta_expand_load.py", "mqtt.py"]

if __name__ == "__main__":
    failed = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])  # noqa: S603
    sys.exit(failed)
