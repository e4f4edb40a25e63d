"""`make bench`: runs every benchmark in this folder, one after the other, each standalone.

`--smoke` (CI) runs each at a tiny scale in databases of their own (`…_smoke`), participation.py
too, and exits non-zero if any of them failed: a benchmark cannot rot unnoticed."""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["directory.py", "search.py", "ideas.py", "projects.py", "portfolio.py",
              "matchmaking.py", "sensorthings.py", "sta_clients.py", "sta_expand_load.py",
              "mqtt.py", "opendata.py"]

# participation.py reuses ideas.py's database; the smoke run covers it, `make bench` does not.
SMOKE = [*BENCHMARKS[:3], "participation.py", *BENCHMARKS[3:]]

if __name__ == "__main__":
    failed = []
    for name in SMOKE if "--smoke" in sys.argv else BENCHMARKS:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(HERE / name), *sys.argv[1:]])  # noqa: S603
        print(f"== {name}: exit {status} after {time.perf_counter() - started:.1f} s", flush=True)
        if status:
            failed.append(name)
    if failed:
        print(f"== failed: {', '.join(failed)}", flush=True)
    sys.exit(1 if failed else 0)
