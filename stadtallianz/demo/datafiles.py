"""The demo's literal data (names, descriptions, idea texts, …) lives in JSON files under
`data/`, shipped with the package (pyproject.toml's package-data takes `data/**/*`), so the
loaders hold only the logic. What each file's fields mean is said by the module that reads it.
"""

import json
from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> dict:
    """The content of `data/<name>.json`, read once. Shared: callers do not change it."""
    text = files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
