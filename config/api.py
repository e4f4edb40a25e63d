"""The REST API under /api/v1/: each app contributes a router from its own api.py.

Version 1 only grows: new endpoints and new fields in answers may appear, nothing is renamed or
removed (docs/api.md). tests/api/openapi.snapshot.json pins the contract.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from stadtallianz.assessments.api import router as assessments_router
from stadtallianz.core.api import (
    NOT_FOUND,
    ErrorOut,
    ValidationErrorOut,
    docs,
    with_request_language,
)
from stadtallianz.core.api import router as reference_router
from stadtallianz.core.api_errors import add_error_handlers
from stadtallianz.core.api_parser import LimitedParser
from stadtallianz.discussions.api import router as discussions_router
from stadtallianz.events.api import router as events_router
from stadtallianz.funding.api import router as funding_router
from stadtallianz.ideas.api import router as ideas_router
from stadtallianz.knowledge.api import router as knowledge_router
from stadtallianz.letter_of_intent.api import router as letter_of_intent_router
from stadtallianz.livinglabs.api import router as livinglabs_router
from stadtallianz.matchmaking.api import router as matchmaking_router
from stadtallianz.notifications.api import router as notifications_router
from stadtallianz.partnering.api import router as partnering_router
from stadtallianz.partners.api import router as partners_router
from stadtallianz.projects.api import router as projects_router
from stadtallianz.proposals.api import router as proposals_router
from stadtallianz.search.api import router as search_router
from stadtallianz.workinggroups.api import router as workinggroups_router

DESCRIPTION = """\
Public and partner API of the smart-city alliance platform.

* **Reading** needs no account. With a token or a logged-in session, a person also sees the
  organisations they belong to.
* **Writing** needs `Authorization: Bearer sta_…` (a personal API token, created on the
  account's token page) or the logged-in session with the `X-CSRFToken` header.
* **Language**: translated texts come as `<name>_de`, `<name>_en` and `<name>` in the active
  language, chosen by `?lang=de|en`, else the `Accept-Language` header, else German.
* **Lists** of partners and signatories are paginated with `limit` and `offset`; the answer has
  `items` and `count`.
* **Errors** are `{"detail": "…"}`, or for invalid input (422) `{"detail": [{"loc": […],
  "msg": "…", "type": "…"}]}` with the field's name last in `loc`.
"""


def _error_response(description: str, schema_name: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def document_shared_errors(method: str, operation: dict) -> None:
    """Adds the error answers that come from the API's shared layers, not from the operation's
    own code, where the operation does not list them itself: a token that was sent but is
    unknown (401, any operation), a body that cannot be parsed (400), input that fails
    validation (422, any operation with parameters or a body), a path naming nothing (404), a
    session write without its CSRF token (403), an anonymous read over the rate limit (429,
    core/ratelimit.py). So a generated client knows every status and
    its shape; the answers are checked against the document (tests/api/contract.py, fuzz/)."""
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    shared = {"401": ("Unauthorized", "ErrorOut")}
    if operation.get("requestBody"):
        shared["400"] = ("Bad Request", "ErrorOut")
    if parameters or operation.get("requestBody"):
        shared["422"] = ("Unprocessable Entity", "ValidationErrorOut")
    if any(parameter.get("in") == "path" for parameter in parameters):
        shared["404"] = ("Not Found", "ErrorOut")
    if operation.get("security"):
        shared["403"] = ("Forbidden", "ErrorOut")
    if method == "get":
        shared["429"] = ("Too Many Requests", "ErrorOut")
    # ninja keys the responses by int; the document must not name a status twice (as 401 and
    # "401": JSON with duplicate keys, which Swagger UI's parser refuses).
    listed = {str(status) for status in responses}
    for status, (description, schema_name) in shared.items():
        if status not in listed:
            responses[int(status)] = _error_response(description, schema_name)


class StadtallianzAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The function's name alone: stable, readable ids for generated clients.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in document["paths"].values():
            for method, operation in methods.items():
                document_shared_errors(method, operation)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(definition.pop("$defs", {}))
            schemas.setdefault(model.__name__, definition)
        return document


api = StadtallianzAPI(
    title="Stadtallianz API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=docs,
    parser=LimitedParser(),  # bodies within the input limits (docs/api.md)
)
api.add_decorator(with_request_language, mode="view")


@csrf_exempt  # it changes nothing; the CSRF refusal would be the site's HTML page
@with_request_language
def not_found_under_the_api(request, path: str = ""):
    """A path under /api/v1/ that no operation matches (an id that is not a number, a typo)
    answers like every other error of the API, JSON with `detail`, not the site's HTML page."""
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)


add_error_handlers(api)  # core/api_errors.py: one error shape, in the caller's language

api.add_router("/", reference_router)
api.add_router("/partners", partners_router)
api.add_router("/letter-of-intent", letter_of_intent_router)
api.add_router("/working-groups", workinggroups_router)
api.add_router("/discussions", discussions_router)
api.add_router("/events", events_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/ideas", ideas_router)
api.add_router("/projects", projects_router)
api.add_router("/assessments", assessments_router)
api.add_router("/living-labs", livinglabs_router)
api.add_router("/funding/applications", proposals_router)
api.add_router("/funding", funding_router)
api.add_router("/partner-search", partnering_router)
api.add_router("/suggestions", matchmaking_router)
api.add_router("/notifications", notifications_router)
api.add_router("/search", search_router)
