"""Batch requests (`POST /sta/v1.1/$batch`, SensorThings 1.1 §12, in the OData 4.01 JSON batch
format):

    {"requests": [
        {"id": "1", "method": "post", "url": "Things", "body": {...}, "atomicityGroup": "g"},
        {"id": "2", "method": "post", "url": "$1/Datastreams", "body": {...},
         "atomicityGroup": "g"},
        {"id": "3", "method": "get", "url": "Things?$top=1"}]}

answered with 200 and {"responses": [{"id", "status", "headers", "body"}, ...]} in the order of
the requests.

- Each inner request goes through the same view as a request of its own (views.resource):
  the outer request's credentials (the Authorization header or the session), the same
  permission and privacy checks, the same errors. An inner request's own Authorization header is
  ignored: one batch is one caller.
- The requests of one atomicity group (adjacent, as OData requires) run in one transaction:
  when one of them fails, none of the group's changes stays, and the group is answered by that
  failed request's response alone. Without an atomicity group each request stands alone.
- Processing stops at the first failed request (a 4xx or 5xx answer), as OData prescribes, unless
  the batch is sent with `Prefer: odata.continue-on-error`; the requests not processed are left
  out of the answer.
- A url may start with `$<id>` of an earlier request that created an entity (201): it stands
  for that entity, e.g. `$1/Datastreams`.
- An anonymous read inside a batch counts against the read rate limit (ANON_READ_RATE) like a
  read of its own; over it, that request is answered 429.
- Bounds: at most MAX_REQUESTS requests per batch and STA_MAX_RESPONSE_BYTES of inner answers
  together, the bound of one answer (beyond that, processing stops with a 413 for the request
  that went over); the body is read with the same input limits as every write (docs/api.md).
- The multipart/mixed batch format of SensorThings 1.0 is not supported (415).
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse, QueryDict

from stadtallianz.core.ratelimit import anonymous_read_refused

from .errors import StaError, bad_request
from .query.serialize import base_url_of
from .write.values import request_json

MAX_REQUESTS = 100
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
# The members of the outer request's META that describe the request itself; an inner request
# gets its own.
OWN_META = ("REQUEST_METHOD", "PATH_INFO", "SCRIPT_NAME", "QUERY_STRING", "CONTENT_TYPE",
            "CONTENT_LENGTH", "wsgi.input", "HTTP_PREFER")


class _GroupFailed(Exception):
    """Leaves an atomicity group's transaction, so that everything it wrote is rolled back."""

    def __init__(self, answer: dict):
        super().__init__(answer.get("id"))
        self.answer = answer


def handle(request):
    if request.method != "POST":
        raise StaError("$batch takes POST.", 405)
    if request.content_type != "application/json":
        raise StaError("$batch takes the JSON batch format (Content-Type: application/json) of "
                       "SensorThings 1.1; the multipart/mixed format of 1.0 is not supported.",
                       415)
    requests = _checked(request_json(request))
    prefer = request.META.get("HTTP_PREFER", "").lower()
    go_on = "continue-on-error" in prefer and "continue-on-error=false" not in prefer
    batch = _Batch(request)
    answers: list[dict] = []
    position = 0
    while position < len(requests):
        group = requests[position].get("atomicityGroup")
        end = position + 1
        while group is not None and end < len(requests) and (
                requests[end].get("atomicityGroup") == group):
            end += 1
        part = requests[position:end]
        position = end
        if group is None:
            answer = batch.run(part[0])
            answers.append(answer)
            failed = answer["status"] >= 400
        else:
            group_answers = batch.run_group(part)
            answers.extend(group_answers)
            failed = any(answer["status"] >= 400 for answer in group_answers)
        if batch.too_large or (failed and not go_on):
            break
    return JsonResponse({"responses": answers})


def _checked(data) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get("requests"), list):
        raise bad_request('A batch is {"requests": [{"id": "1", "method": "get", "url": '
                          '"Things"}, ...]}.')
    requests = data["requests"]
    if len(requests) > MAX_REQUESTS:
        raise bad_request(f"A batch holds at most {MAX_REQUESTS} requests; this one has "
                          f"{len(requests)}.")
    seen_ids: set[str] = set()
    closed_groups: set[str] = set()
    previous_group = None
    for number, item in enumerate(requests, start=1):
        where = f"$batch: request {number}"
        if not isinstance(item, dict):
            raise bad_request(f"{where} must be an object with id, method and url.")
        unknown = set(item) - {"id", "method", "url", "headers", "body", "atomicityGroup",
                               "dependsOn"}
        if unknown:
            raise bad_request(f"{where} has an unknown member {sorted(unknown)[0]!r}.")
        request_id = item.get("id")
        if not isinstance(request_id, str) or not request_id or request_id in seen_ids:
            raise bad_request(f"{where}: id must be a string unique in the batch.")
        seen_ids.add(request_id)
        method = item.get("method")
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise bad_request(f"{where}: method must be one of {', '.join(METHODS)}.")
        if not isinstance(item.get("url"), str):  # "" is the service root
            raise bad_request(f"{where}: url is required.")
        headers = item.get("headers", {})
        if not isinstance(headers, dict) or not all(
                isinstance(value, str) for value in headers.values()):
            raise bad_request(f"{where}: headers must be an object of strings.")
        group = item.get("atomicityGroup")
        if group is not None and not isinstance(group, str):
            raise bad_request(f"{where}: atomicityGroup must be a string.")
        if group != previous_group and previous_group is not None:
            closed_groups.add(previous_group)
        if group is not None and group in closed_groups:
            raise bad_request(f"{where}: the requests of atomicity group {group!r} must be "
                              "adjacent.")
        if group is not None and (group in seen_ids - {request_id}):
            raise bad_request(f"{where}: the atomicity group {group!r} has the id of a request.")
        previous_group = group
    return requests


class _Batch:
    def __init__(self, outer):
        self.outer = outer
        self.base_path = urlsplit(base_url_of(outer)).path  # e.g. /sta/v1.1
        self.created: dict[str, str] = {}  # request id -> path of the entity it created
        self.answer_bytes = 0
        self.too_large = False

    def run_group(self, part: list[dict]) -> list[dict]:
        created_before = dict(self.created)
        try:
            with transaction.atomic():
                answers = []
                for item in part:
                    answer = self.run(item)
                    if answer["status"] >= 400:
                        raise _GroupFailed(answer)
                    answers.append(answer)
                return answers
        except _GroupFailed as failure:
            self.created = created_before  # those entities were rolled back
            return [{**failure.answer, "atomicityGroup": part[0]["atomicityGroup"]}]

    def run(self, item: dict) -> dict:
        from . import views

        try:
            inner = self._request(item)
        except StaError as error:
            return self._answer(item, error.response())
        path = inner.path_info[len(self.base_path):].lstrip("/")
        # Anonymous reads count against the read rate limit one by one, as on their own.
        response = anonymous_read_refused(inner)
        if response is None:
            response = (views.resource(inner, path=path) if path
                        else views.service_root(inner))
        if response.status_code == 201 and response.get("Location"):
            location_path = urlsplit(response["Location"]).path
            self.created[item["id"]] = location_path[len(self.base_path):].lstrip("/")
        return self._answer(item, response)

    def _request(self, item: dict) -> HttpRequest:
        url = item["url"]
        if url.startswith("$"):
            reference, _slash, rest = url[1:].partition("/")
            created = self.created.get(reference.split("?", 1)[0])
            if created is None:
                raise bad_request(f"$batch: ${reference} is not an earlier request of this "
                                  "batch that created an entity.")
            url = created + ("/" + rest if rest else "")
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or parts.path.startswith("/"):  # a URL of this service
            if not parts.path.startswith(self.base_path):
                raise bad_request(f"$batch: {url} is not a URL of this service.")
            path = parts.path
        else:
            path = f"{self.base_path}/{parts.path}"
        if path.rstrip("/").endswith("/$batch"):
            raise bad_request("$batch: a batch cannot contain a batch.")
        inner = HttpRequest()
        inner.method = item["method"].upper()
        inner.path = inner.path_info = path
        inner.META = {key: value for key, value in self.outer.META.items()
                      if key not in OWN_META}
        inner.META.update(REQUEST_METHOD=inner.method, PATH_INFO=path,
                          QUERY_STRING=parts.query)
        inner.GET = QueryDict(parts.query)
        for attribute in ("user", "session"):
            if hasattr(self.outer, attribute):
                setattr(inner, attribute, getattr(self.outer, attribute))
        content_type = {key.lower(): value for key, value in
                        item.get("headers", {}).items()}.get("content-type", "application/json")
        inner.content_type = content_type.split(";", 1)[0].strip().lower()
        inner.content_params = {}
        body = b"" if "body" not in item else json.dumps(item["body"]).encode()
        inner.META.update(CONTENT_TYPE=content_type, CONTENT_LENGTH=str(len(body)))
        inner._body = body
        return inner

    def _answer(self, item: dict, response) -> dict:
        content = (b"".join(response.streaming_content) if response.streaming
                   else response.content)
        self.answer_bytes += len(content)
        # The whole batch answer is held to the bound of one answer (STA_MAX_RESPONSE_BYTES).
        limit = settings.STA_MAX_RESPONSE_BYTES
        if self.answer_bytes > limit:
            self.too_large = True
            error = StaError(f"The answers of this batch exceed {limit // 2**20} MB; "
                             "send fewer or smaller requests per batch.", 413)
            return self._answer_of(item, error.response(), error.response().content)
        return self._answer_of(item, response, content)

    @staticmethod
    def _answer_of(item: dict, response, content: bytes) -> dict:
        headers = {}
        for name in ("Content-Type", "Location"):
            if response.get(name):
                headers[name.lower()] = response[name]
        answer = {"id": item["id"], "status": response.status_code, "headers": headers}
        if content:
            if headers.get("content-type", "").startswith("application/json"):
                answer["body"] = json.loads(content)
            else:
                answer["body"] = content.decode("utf-8", "replace")
        if item.get("atomicityGroup") is not None:
            answer["atomicityGroup"] = item["atomicityGroup"]
        return answer
