"""The service's OpenAPI document, with every error described as it is sent.

FastAPI documents its own 422 shape (`{"detail": [...]}`), which this service never sends
(`errors.py` replaces it), and none of the other errors. Clients generated from the
document, and schemathesis (`make fuzz`), rely on it, so each operation lists the errors
it can answer, all as `{"error": "<message>"}`; readiness keeps its own 503 body.
"""

from typing import Any, Final

from fastapi import FastAPI

from .protocol import InferenceRequest
from .service_routes import PredictRequest

ERROR: Final = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {"type": "string", "title": "Error"}},
    "required": ["error"],
    "additionalProperties": False,
}
NOT_READY: Final = {
    "title": "NotReady",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "ready": {"type": "boolean", "const": False},
        "error": {"type": "string"},
    },
    "required": ["ready", "error"],
}
DESCRIPTIONS: Final = {
    "400": "Bad request: the body is not JSON, or not framed as this model's tensors",
    "404": "Unknown model or model version",
    "413": "The body, or the body decompressed, is over MAX_REQUEST_BYTES",
    "415": "Unsupported Content-Type or Content-Encoding",
    "422": "Invalid input: the message names the field or feature and the problem",
    "500": "The model produced a value the service refuses to send (NaN, infinity)",
    "503": "No model is loaded; the message says why",
}
BODY_ERRORS: Final = ("400", "413", "415", "422")


def _errors(path: str, method: str) -> list[str]:
    """The error statuses one operation can answer."""
    codes: list[str] = []
    if method == "post":
        codes += [*BODY_ERRORS, "500", "503"]
    if "{model_name}" in path:
        codes += ["404", "503"]
    if path == "/v2/health/ready":
        codes.append("503")
    return sorted(set(codes))


def _response(code: str, schema: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite `document` in place: the error object everywhere, the read bodies' schemas."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Error"], schemas["NotReady"] = ERROR, NOT_READY
    for model in (InferenceRequest, PredictRequest):  # bodies the routes read themselves
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's, for path parameters that cannot fail
            for code in _errors(path, method):
                ready = path.endswith("/ready") or path == "/v2/health/ready"
                responses[code] = _response(
                    code, "NotReady" if ready and code == "503" else "Error"
                )
            if path.endswith("/infer"):
                responses["200"]["content"]["application/octet-stream"] = {
                    "schema": {"type": "string", "format": "binary"}
                }
    return document


def install_openapi(app: FastAPI) -> None:
    """Have `app` serve the rewritten document (built once, on first request, as FastAPI's)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
