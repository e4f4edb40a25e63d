"""`make screenshots`: PNGs of the main pages at a desktop and a phone size in var/screenshots/.

1. Makes a fresh SQLite database in a temporary folder, migrates it and loads the demo data
   (the same `stadtallianz demo` that `make run` loads).
2. Serves it with Django's development server (DEBUG on, as `make run` does) on a free port.
3. Opens Debian's Chromium with Playwright, logs in as the demo account each page needs, and
   writes one PNG per page, size and language: var/screenshots/<size>/<language>/<page>.png
   (desktop 1366×900, mobile 390×844; the page's full height).

    python screenshots/run.py                 # both languages
    python screenshots/run.py --language de   # German only
    python screenshots/run.py --readme        # also the three pictures of the README

`--readme` copies three of them, cut to the first screen, into docs/screenshots/ (README.md shows
them; they are committed, so they are made again only when the look changes).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "screenshots"
README_PICTURES = [("desktop", "de", "home"), ("mobile", "de", "idea"),
                   ("desktop", "de", "my-area")]
SIZES = {"desktop": {"width": 1366, "height": 900}, "mobile": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_DOMAIN = "demo.stadtallianz.de"
DEMO_PASSWORD = "Allianz-Demo-2025"  # noqa: S105 - the demo's public password (DEBUG only)


def log(message: str) -> None:
    print(f"[screenshots {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([str(BIN / "stadtallianz"), *args], env=env, cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"stadtallianz {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# Pages as (name, account or None, path or a query that finds the path in the demo data).
# A query is Python run by `stadtallianz shell` against the demo database; it prints the path.
PAGES = [
    ("home", None, "/"),
    ("partners", None, "/partners/"),
    ("partner", None, "from stadtallianz.partners.models import Organisation as O; "
                      "print(O.objects.order_by('pk').first().get_absolute_url())"),
    ("ideas", None, "/ideas/"),
    ("idea", None, "from django.contrib.auth.models import AnonymousUser as A; "
                   "from stadtallianz.ideas.models import Idea; "
                   "print(Idea.objects.listed_for(A()).order_by('pk').first().get_absolute_url())"),
    ("events", None, "/events/"),
    ("event", None, "from stadtallianz.events.models import Event; "
                    "print(Event.objects.order_by('pk').first().get_absolute_url())"),
    ("projects", None, "/projects/"),
    ("project", None, "from stadtallianz.projects.models import Project; "
                      "print(Project.objects.order_by('pk').first().get_absolute_url())"),
    ("living-labs", None, "/living-labs/"),
    ("living-lab", None, "from stadtallianz.livinglabs.models import LivingLab as L; "
                         "print(L.objects.order_by('pk').first().get_absolute_url())"),
    ("search", None, "/search/?q=Mobilit%C3%A4t"),
    ("letter-of-intent", None, "/letter-of-intent/"),
    ("my-area", "admin", "/mein-bereich/"),
    ("back-office", "koordination", "/backoffice/"),
    ("styleguide", None, "/styleguide/"),
]


def resolve(env: dict, where: str) -> str | None:
    if where.startswith("/"):
        return where
    out = manage(env, "shell", "-c", where).strip().splitlines()
    path = out[-1] if out else ""
    # get_absolute_url gives the path with the active language's prefix; drop it.
    for prefix in ("/de/", "/en/"):
        if path.startswith(prefix):
            path = "/" + path[len(prefix):]
    return path if path.startswith("/") else None


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


def login(page, base: str, language: str, account: str) -> None:
    page.goto(f"{base}/{language}/login/")
    page.fill("input[name=username], input[name=email]", f"{account}@{DEMO_DOMAIN}")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["de", "en"], action="append")
    parser.add_argument("--readme", action="store_true")
    arguments = parser.parse_args()
    languages = arguments.language or ["de", "en"]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="stadtallianz-screenshots-") as folder:
        env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
               "MEDIA_ROOT": f"{folder}/media", "MQTT_URL": "", "REDIS_URL": "",
               "SITE_NAME": os.environ.get("SITE_NAME", "Allianz Smart City Münster"),
               "COORDINATION_OFFICE_NAME": os.environ.get("COORDINATION_OFFICE_NAME",
                                                          "Stabsstelle Smart City")}
        log("migrating a fresh SQLite database and loading the demo data")
        manage(env, "migrate", "--noinput")
        manage(env, "demo")
        pages = []
        for name, account, where in PAGES:
            path = resolve(env, where)
            if path is None:
                log(f"skipped {name}: the demo data has no such page")
                continue
            pages.append((name, account, path))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own command
            [str(BIN / "stadtallianz"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"{base}/de/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                     args=CHROMIUM_ARGS)
                written = 0
                total = len(pages) * len(SIZES) * len(languages)
                for size, viewport in SIZES.items():
                    for language in languages:
                        folder_out = OUT / size / language
                        folder_out.mkdir(parents=True, exist_ok=True)
                        sessions: dict[str | None, object] = {}
                        for name, account, path in pages:
                            if account not in sessions:
                                context = browser.new_context(
                                    viewport=viewport, locale=language,
                                    device_scale_factor=1, is_mobile=size == "mobile",
                                    has_touch=size == "mobile")
                                page = context.new_page()
                                if account:
                                    login(page, base, language, account)
                                sessions[account] = page
                            page = sessions[account]
                            page.goto(f"{base}/{language}{path}")
                            # Images load lazily: scroll once through the page so that a
                            # full-page picture shows them.
                            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                            page.wait_for_load_state("networkidle")
                            page.evaluate("window.scrollTo(0, 0)")
                            target = folder_out / f"{name}.png"
                            page.screenshot(path=str(target), full_page=True)
                            written += 1
                            log(f"{written}/{total} {target.relative_to(ROOT)}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    log(f"done: {OUT.relative_to(ROOT)}")
    if arguments.readme:
        write_readme_pictures()


def write_readme_pictures() -> None:
    """The README's pictures: the first screen of three pages, as a person sees them."""
    from PIL import Image

    target = ROOT / "docs" / "screenshots"
    target.mkdir(exist_ok=True)
    for size, language, name in README_PICTURES:
        viewport = SIZES[size]
        with Image.open(OUT / size / language / f"{name}.png") as picture:
            first_screen = picture.crop((0, 0, viewport["width"], viewport["height"]))
            out = target / f"{name}-{size}.png"
            first_screen.save(out, optimize=True)
        log(f"README picture {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
