"""The fuzzing pass (issue 11, "Keep it found"): property-based requests against a live server in
production mode, on its own PostgreSQL database.

1. Makes a fresh database (FUZZ_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/fuzz —
   it is dropped and created again), migrates it, loads the demo data and issues an API token for
   each role (fuzz/accounts.py) and a device token of a demo lab.
2. Starts gunicorn with DEBUG off (production settings; Redis at FUZZ_REDIS_URL; e-mail kept in
   memory; anonymous read rate limit off, so that the fuzzer tests the operations, not the limit).
3. Runs schemathesis against /api/v1/openapi.json as anonymous and with the token of each role —
   coordinator, partner admin, member, citizen, admin of an organisation that has not signed —
   with the checks not_a_server_error, status_code_conformance, content_type_conformance and
   response_schema_conformance; then fuzz/sta_grammar.py against /sta/v1.1 (query options as
   anonymous and with the lab token, and creations with the lab token); then
   fuzz/open_data_grammar.py against the open-data surfaces outside /api/v1 (CKAN's action API,
   the DCAT catalogue, oEmbed, the feeds, the widgets, the catalogue pages and downloads).
4. Fails (exit 1) on any failure of those checks, on any traceback in the server's log, and when
   the whole pass takes longer than its time budget. Prints the figures: operations, requests
   (from the server's access log), failures.

    python fuzz/run.py --short          # CI: a few minutes (make fuzz-ci)
    python fuzz/run.py                  # longer (make fuzz)
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = ["anonymous", "coordinator", "partner-admin", "member", "citizen", "unsigned-admin"]
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
# (examples per operation, seconds per role for schemathesis, seconds for SensorThings,
#  seconds for the open-data grammar, time budget of the whole pass including set-up)
PROFILES = {
    "short": {"examples": 3, "role_seconds": 15, "sta_seconds": 20, "open_data_seconds": 20,
              "budget": 300},
    "long": {"examples": 50, "role_seconds": 240, "sta_seconds": 300, "open_data_seconds": 300,
             "budget": 2400},
}


def log(message: str) -> None:
    print(f"[fuzz {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing an odd database name: {name!r}")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(workdir: Path) -> dict:
    env = dict(os.environ)
    for name in ("PYTEST_ADDOPTS", "UPDATE_SNAPSHOTS"):
        env.pop(name, None)
    env.update({
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "fuzz-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("FUZZ_DATABASE_URL",
                                       "postgres://postgres@127.0.0.1:5432/fuzz"),
        "REDIS_URL": os.environ.get("FUZZ_REDIS_URL", "redis://127.0.0.1:6379/14"),
        # The TLS proxy of a real installation is not there; plain HTTP is served as it is.
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "locmem:",
        "ANON_READ_RATE": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        # Errors only: a server error's traceback goes to server.log (4xx are expected here).
        "LOG_LEVEL": "ERROR",
    })
    env.pop("MQTT_URL", None)  # no bridge runs here; notifications are not what is fuzzed
    return env


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603


def set_up(env: dict, workdir: Path) -> dict:
    recreate_database(env["DATABASE_URL"])
    manage = str(BIN / "stadtallianz")
    quiet = {"stdout": subprocess.DEVNULL}
    run([manage, "migrate", "--noinput", "-v0"], env)
    run([manage, "collectstatic", "--noinput", "-v0"], env)
    run([manage, "demo"], env, **quiet)
    tokens_file = workdir / "tokens.json"
    run([str(BIN / "python"), str(ROOT / "fuzz" / "accounts.py"), str(tokens_file)], env, **quiet)
    return json.loads(tokens_file.read_text())


def start_server(env: dict, port: int, workdir: Path) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "30",
         # The request-line limit is the reverse proxy's business (nginx answers 414 in HTML);
         # here the application itself is fuzzed, also with long query strings.
         "--limit-request-line", "0",
         "--access-logfile", str(workdir / "access.log"),
         "--error-logfile", str(workdir / "error.log")],
        env=env, cwd=ROOT, start_new_session=True,
        stdout=(workdir / "server.log").open("w"), stderr=subprocess.STDOUT)
    for _ in range(60):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited; see " + str(workdir / "error.log")) from None
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz")


def requests_logged(workdir: Path) -> int:
    path = workdir / "access.log"
    return sum(1 for _ in path.open(encoding="utf-8", errors="replace")) if path.exists() else 0


def schemathesis(base: str, role: str, key: str | None, profile: dict, workdir: Path,
                 env: dict) -> dict:
    report = workdir / f"schemathesis-{role}.json"
    command = [str(BIN / "st"), "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS,
               "--max-examples", str(profile["examples"]),
               "--max-time", str(profile["role_seconds"]),
               "--max-response-time", "20", "--request-timeout", "40",
               # One worker: with two, CPython 3.11 sometimes fails inside Hypothesis
               # ("AST constructor recursion depth mismatch"), an error of the tool, not the API.
               "--workers", "1",
               "--suppress-health-check", "all", "--no-color",
               "--report", "json", "--report-json-path", str(report)]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    output = workdir / f"schemathesis-{role}.txt"
    with output.open("w") as out:
        completed = subprocess.run(command, cwd=workdir, env=env, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT,
                                   timeout=profile["role_seconds"] + 120)
    figures = {"role": role, "exit": completed.returncode, "output": str(output)}
    if report.exists():
        data = json.loads(report.read_text())
        figures.update(operations=data["operations"]["tested"],
                       test_cases=data["test_cases"]["generated"],
                       failures=sum(item["count"] for item in data.get("failures", [])),
                       errors=len(data.get("errors", [])),
                       kinds={item["title"]: item["count"] for item in data.get("failures", [])})
    return figures


def grammar(script: str, base: str, seconds: int, profile: dict, workdir: Path, env: dict,
            *options: str) -> dict:
    """Runs one of the Hypothesis grammars (fuzz/<script>.py); its last line is its figures."""
    output = workdir / f"{script.replace('_', '-')}.txt"
    command = [str(BIN / "python"), str(ROOT / "fuzz" / f"{script}.py"), "--url", base,
               *options, "--max-examples", str(profile["examples"] * 100),
               "--max-time", str(seconds)]
    with output.open("w") as out:
        completed = subprocess.run(command, cwd=ROOT, env=env, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT, timeout=seconds + 120)
    lines = output.read_text().strip().splitlines()
    figures = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return {"exit": completed.returncode, "output": str(output), **figures}


def server_tracebacks(workdir: Path) -> list[str]:
    """Tracebacks the server logged (Django's server errors, gunicorn's worker failures)."""
    blocks = []
    for name in ("server.log", "error.log"):
        path = workdir / name
        text = path.read_text(errors="replace") if path.exists() else ""
        blocks += text.split("Traceback (most recent call last)")[1:]
    return blocks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the API of a live server.")
    parser.add_argument("--short", action="store_true", help="the bounded pass of CI")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--workdir", help="keep logs and reports here (default: a temp dir)")
    for name in PROFILES["long"]:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name,
                            help="overrides the profile's value")
    args = parser.parse_args(argv)
    profile = dict(PROFILES["short" if args.short else "long"])
    profile.update({name: getattr(args, name) for name in profile
                    if getattr(args, name) is not None})
    started = time.monotonic()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="stadtallianz-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("access.log", "error.log", "server.log"):
        (workdir / name).unlink(missing_ok=True)
    env = server_environment(workdir)
    log(f"setting up {env['DATABASE_URL']} (logs in {workdir})")
    tokens = set_up(env, workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port, workdir)
    log(f"gunicorn (DEBUG off, PostgreSQL, Redis) at {base}")
    results, failed = [], False
    sta, open_data = {}, {}
    try:
        for role in args.roles.split(","):
            before = requests_logged(workdir)
            key = None if role == "anonymous" else tokens["roles"][role]
            figures = schemathesis(base, role, key, profile, workdir, env)
            figures["requests"] = requests_logged(workdir) - before
            results.append(figures)
            bad = figures["exit"] != 0 or figures.get("failures") or figures.get("errors")
            failed |= bool(bad)
            log(f"/api/v1 as {role}: {figures.get('operations')} operations, "
                f"{figures['requests']} requests, {figures.get('failures')} failures "
                f"{figures.get('kinds') or ''}{'  ← see ' + figures['output'] if bad else ''}")
        before = requests_logged(workdir)
        sta = grammar("sta_grammar", base, profile["sta_seconds"], profile, workdir, env,
                      "--lab-key", tokens["lab"]["key"])
        sta["requests_logged"] = requests_logged(workdir) - before
        failed |= sta["exit"] != 0
        log(f"/sta/v1.1 grammar: {sta.get('requests')} requests, {sta.get('failures')} failures"
            f"{'  ← see ' + sta['output'] if sta['exit'] else ''}")
        before = requests_logged(workdir)
        open_data = grammar("open_data_grammar", base, profile["open_data_seconds"], profile,
                            workdir, env)
        open_data["requests_logged"] = requests_logged(workdir) - before
        failed |= open_data["exit"] != 0
        log(f"open-data grammar (CKAN, DCAT, oEmbed, feeds, widgets, catalogue): "
            f"{open_data.get('requests')} requests, {open_data.get('failures')} failures"
            f"{'  ← see ' + open_data['output'] if open_data['exit'] else ''}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    tracebacks = server_tracebacks(workdir)
    if tracebacks:
        failed = True
        # A traceback's exception is its first line after the indented frames.
        kinds = collections.Counter(
            next((line for line in block.splitlines()[1:] if line and not line.startswith(" ")),
                 "?")[:200] for block in tracebacks)
        log(f"{len(tracebacks)} tracebacks in {workdir / 'server.log'}:")
        for kind, count in kinds.most_common(20):
            log(f"  {count} × {kind}")
    elapsed = time.monotonic() - started
    total = {"operations": max((r.get("operations") or 0) for r in results) if results else 0,
             "requests": requests_logged(workdir),
             "failures": sum(r.get("failures") or 0 for r in results)
             + (sta.get("failures") or 0) + (open_data.get("failures") or 0),
             "seconds": round(elapsed)}
    log(f"total: {json.dumps(total)}")
    (workdir / "figures.json").write_text(json.dumps(
        {"total": total, "api": results, "sta": sta, "open_data": open_data}, indent=2))
    if elapsed > profile["budget"]:
        log(f"over the time budget: {elapsed:.0f} s > {profile['budget']} s")
        failed = True
    if not args.workdir and not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    log("FAILED" if failed else "passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
