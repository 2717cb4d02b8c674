"""Every error leaves the service as `{"error": "<message>"}` with a meaningful status code.

The Open Inference Protocol requires that error object, and one shape everywhere means a
client needs one error path. FastAPI's own handlers (which answer `{"detail": ...}`) are
replaced here, including for malformed JSON and wrong types.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 5
"""Enough to fix a request, short enough that one bad batch does not produce a huge body."""


class ServiceError(Exception):
    """An error with an HTTP status; the message is safe to show to the client."""

    status_code = 500


class BadRequestError(ServiceError):
    """The request cannot be read as this model's input at all (framing, tensor layout)."""

    status_code = 400


class InputError(ServiceError):
    """The request is well-formed JSON but not valid input for this model."""

    status_code = 422


class FeatureTypeError(InputError):
    """A feature's value has the wrong JSON type; `feature` is a schema name, never user input."""

    def __init__(self, feature: str, problem: str) -> None:
        super().__init__(f"{feature}: {problem}")
        self.feature = feature


class ModelNotFoundError(ServiceError):
    """The request names a model or version this service does not serve."""

    status_code = 404


class ModelNotReadyError(ServiceError):
    """No model is loaded; the message says why (missing or corrupt artifact)."""

    status_code = 503


class PredictionError(ServiceError):
    """The model produced an answer the service refuses to return (NaN or infinity)."""

    status_code = 500


def error_response(status_code: int, message: str) -> JSONResponse:
    """Build the protocol's error object."""
    return JSONResponse({"error": message}, status_code=status_code)


def describe_validation_error(error: RequestValidationError) -> tuple[int, str]:
    """Summarise pydantic's errors as one line; malformed JSON is a 400, the rest 422."""
    errors: list[dict[str, Any]] = list(error.errors())
    if any(item.get("type") == "json_invalid" for item in errors):
        return 400, "request body is not valid JSON"
    parts = [
        f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg', 'invalid')}"
        for item in errors[:MAX_REPORTED_ERRORS]
    ]
    more = len(errors) - MAX_REPORTED_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return 422, "invalid request: " + "; ".join(parts)


def body_validation_error(error: ValidationError) -> RequestValidationError:
    """The errors of a body a route parses itself, located in `body` as FastAPI's own are.

    So such a body gets the same 400/422 messages as any other route's.
    """
    located = [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
    return RequestValidationError(located)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error FastAPI or this service raises to the `{"error": ...}` shape."""

    @app.exception_handler(ServiceError)
    async def on_service_error(_: Request, error: ServiceError) -> JSONResponse:
        return error_response(error.status_code, str(error))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(*describe_validation_error(error))

    @app.exception_handler(HTTPException)
    async def on_http_error(_: Request, error: HTTPException) -> JSONResponse:
        response = error_response(error.status_code, str(error.detail))
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(Exception)
    async def on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, "internal server error")
