"""The layers of .importlinter hold, and `make lint` fails on a new import that breaks them.

`lint-imports` runs as `make lint` runs it, against the real contract file: once on the code as it
is, and once on a copy of the package with one upward import added, whose failure must name both
modules so a reader of the CI log knows what to move.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / ".importlinter"
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(config: Path, cwd: Path) -> subprocess.CompletedProcess:
    # COLUMNS: the report is wrapped to the terminal's width; a wide one keeps a module pair on
    # one line. PYTHONPATH: the package analysed is the one in `cwd`, not the installed checkout.
    env = {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(cwd)}
    return subprocess.run(  # noqa: S603 -- the venv's own lint-imports, fixed arguments
        [LINT_IMPORTS, "--no-cache", str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def copy_of_package(destination: Path) -> Path:
    """The Python files of stadtallianz/ under `destination` (the import graph needs no more)."""

    def not_python(folder, names):
        return [
            n
            for n in names
            if not (n.endswith(".py") or Path(folder, n).is_dir()) or n == "__pycache__"
        ]

    shutil.copytree(ROOT / "stadtallianz", destination / "stadtallianz", ignore=not_python)
    return destination / "stadtallianz"


def test_the_code_keeps_every_contract():
    result = lint_imports(CONTRACTS, ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_new_upward_import_fails_and_names_both_modules(tmp_path):
    package = copy_of_package(tmp_path)
    (package / "core" / "layer_break.py").write_text(
        "from stadtallianz.projects.models import Project\n"
    )

    result = lint_imports(CONTRACTS, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "stadtallianz.core is not allowed to import stadtallianz.projects" in result.stdout
    assert "stadtallianz.core.layer_break -> stadtallianz.projects.models" in result.stdout


def test_two_apps_of_one_layer_may_not_import_each_other(tmp_path):
    package = copy_of_package(tmp_path)
    (package / "workinggroups" / "layer_break.py").write_text(
        "from stadtallianz.letter_of_intent.models import Signature\n"
    )

    result = lint_imports(CONTRACTS, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "stadtallianz.workinggroups.layer_break -> stadtallianz.letter_of_intent.models"
        in result.stdout
    )


def test_a_listed_break_that_is_gone_must_leave_the_list(tmp_path):
    # A line whose import no longer exists fails the check, so an exception cannot outlive its
    # reason and become a licence for later imports.
    contracts = tmp_path / ".importlinter"
    contracts.write_text(
        CONTRACTS.read_text().replace(
            "ignore_imports =\n",
            "ignore_imports =\n    stadtallianz.core.audit -> stadtallianz.portal.views\n",
            1,
        )
    )

    result = lint_imports(contracts, ROOT)

    assert result.returncode != 0, result.stdout + result.stderr
    assert "stadtallianz.core.audit -> stadtallianz.portal.views" in result.stdout + result.stderr


def test_only_tests_are_excused_from_the_layers():
    """Issue 13 removed every known break: the one exception left lets tests build what they
    need from any app. A new `ignore_imports` line for running code is a new break."""
    exceptions = set()
    in_ignores = False
    for line in CONTRACTS.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("ignore_imports"):
            in_ignores = True
        elif in_ignores and line.startswith((" ", "\t")):
            if stripped and not stripped.startswith("#"):
                exceptions.add(stripped)
        elif stripped:
            in_ignores = False
    assert exceptions == {"stadtallianz.*.tests.** -> stadtallianz.**"}
