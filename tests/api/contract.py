"""Checks answers of /api/v1/ against the published OpenAPI document.

A client generated from the document trusts three things: the status code is one the operation
lists, the content type is the one listed for it, and a JSON body validates against the listed
schema. `ContractChecker.problems(method, path, response)` names every way an answer breaks that
trust. Every test of the project runs it on each answer of /api/v1/ it receives through Django's
test client (the autouse fixture `_answers_follow_the_contract` of the root conftest.py, with the
checker of `published_contract()`, built once per test session); the fuzzing pass (fuzz/) checks
the same on a live server through schemathesis.
"""

from __future__ import annotations

import functools
import json
import re
from functools import cached_property
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

API_PREFIX = "/api/v1/"
# The document itself and the HTML docs page are not operations of the contract.
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}


class ContractChecker:
    def __init__(self, document: dict):
        self.document = document

    @cached_property
    def _routes(self) -> list[tuple[re.Pattern, str]]:
        routes = []
        for template in self.document["paths"]:
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            # Fixed segments win over parameters (`/ideas/export.csv` over `/ideas/{idea_id}`).
            routes.append((template.count("{"), re.compile(f"^{pattern}$"), template))
        return [(pattern, template) for _n, pattern, template in sorted(routes, key=lambda r: r[0])]

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        for pattern, template in self._routes:
            if pattern.match(path):
                operation = self.document["paths"][template].get(method.lower())
                if operation is not None:
                    return template, operation
        return None

    @functools.cache  # noqa: B019 - one checker per session, kept for the whole run anyway
    def _validator(self, template: str, method: str, status: str,
                   media_type: str) -> Draft202012Validator:
        responses = self.document["paths"][template][method]["responses"]
        schema = (responses.get(status) or responses["default"])["content"][media_type]["schema"]
        # With the document's components beside it, every `#/components/schemas/X` resolves.
        return Draft202012Validator({**schema, "components": self.document["components"]})

    def problems(self, method: str, url: str, status: int, content_type: str,
                 body: bytes) -> list[str]:
        path = urlsplit(url).path
        if not path.startswith(API_PREFIX) or path in NOT_OPERATIONS:
            return []
        where = f"{method.upper()} {path} → {status}"
        found = self.operation(method, path)
        if found is None:
            # An unknown path or method is the router's 404/405, not an operation's answer.
            return [] if status in (404, 405) else [f"{where}: no such operation in the document"]
        template, operation = found
        responses = operation.get("responses", {})
        documented = responses.get(str(status)) or responses.get("default")
        if documented is None:
            return [f"{where}: status not documented for {method.upper()} {template} "
                    f"(documented: {', '.join(sorted(responses))})"]
        content = documented.get("content")
        if not content:
            return [] if not body else [f"{where}: body where the document lists none"]
        media_type = content_type.split(";")[0].strip()
        if media_type not in content:
            return [f"{where}: content type {media_type!r} not in {sorted(content)}"]
        schema = content[media_type].get("schema")
        if schema is None or not media_type.endswith("json"):
            return []
        try:
            value = json.loads(body)
        except ValueError:
            return [f"{where}: body is not JSON"]
        validator = self._validator(template, method.lower(), str(status), media_type)
        return [f"{where}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: "
                f"{error.message[:300]}" for error in validator.iter_errors(value)]


@functools.cache
def published_contract() -> ContractChecker:
    """The checker of the document /api/v1/openapi.json serves, built on first use (once per test
    session, or per xdist worker): building the document imports every app's API."""
    from config.api import api

    # Through JSON, as clients receive it (enums and other Python values become plain values).
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="api/v1/")))
    return ContractChecker(document)
