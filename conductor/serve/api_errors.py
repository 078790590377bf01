"""Errors in OpenAI's JSON shape, with the status codes the official clients map to their exception types.

    {"error": {"message": "...", "type": "invalid_request_error", "param": "messages", "code": null}}

400 BadRequestError, 401 AuthenticationError, 404 NotFoundError, 413 (APIStatusError), 429 RateLimitError
(with Retry-After), 502 a worker failed (the message names the step; the workflow is in the `conductor`
field), 504 the request ran past the server's time limit. Messages never hold a worker's key or URL
credentials: they are built from step records, which hold none.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error response: raised anywhere in a request, turned into JSON by the app's handler."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        extension: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code
        self.param = param
        self.headers = headers
        self.extension = extension

    def body(self) -> dict[str, Any]:
        err = {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}
        out: dict[str, Any] = {"error": err}
        if self.extension is not None:
            out["conductor"] = self.extension
        return out

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", code=code, param=param)


def unauthorized(message: str = "invalid or missing API key (send Authorization: Bearer <key>)") -> ApiError:
    return ApiError(401, message, "invalid_request_error", code="invalid_api_key")


def not_found(message: str, code: str = "not_found", param: str | None = None) -> ApiError:
    return ApiError(404, message, "invalid_request_error", code=code, param=param)


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"request body is larger than {limit} bytes", "invalid_request_error", "request_too_large")


def server_full(retry_after_s: int, limit: int) -> ApiError:
    return ApiError(
        429,
        f"the server is answering {limit} requests already; retry after {retry_after_s} s",
        "rate_limit_error",
        code="rate_limit_exceeded",
        headers={"Retry-After": str(retry_after_s)},
    )
