"""Errors of the SensorThings API, answered as JSON in the shape FROST-Server uses, which
SensorThings clients already understand: {"code": 400, "type": "error", "message": "…"}."""

from django.http import JsonResponse


class StaError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status

    def response(self) -> JsonResponse:
        return JsonResponse({"code": self.status, "type": "error", "message": self.message},
                            status=self.status)


def bad_request(message: str) -> StaError:
    return StaError(message, 400)


def not_found(message: str = "Nothing found at this path.") -> StaError:
    return StaError(message, 404)
