"""Small HTTP helpers shared by the auth and API routes (and the tests' extensions).

Bad input must get a clear 4xx JSON answer, never a 500 with a traceback: the
body reader here bounds the size, parses strictly and says what is wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_BODY = 1_000_000
# Batch ids as the deployed backend makes them (``batch_<ms>_<rand>``), with room
# for other sane ids; anything with a slash, dots, NUL or kilobytes is refused.
BATCH_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")


class BadRequest(Exception):
    """A client error found while reading the request; becomes a 4xx JSON answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def api_error(http_status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The StoryClip error shape: ``{"error", "code"}`` plus anything extra."""
    body: dict[str, Any] = {"success": False, "error": message, "code": code}
    body.update(extra)
    return JSONResponse(body, status_code=http_status)


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or :class:`BadRequest` saying why not."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise BadRequest(400, "INVALID_BODY", "Invalid Content-Length header")
        if int(length) > MAX_BODY:
            raise BadRequest(413, "PAYLOAD_TOO_LARGE", f"Body larger than {MAX_BODY} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise BadRequest(413, "PAYLOAD_TOO_LARGE", f"Body larger than {MAX_BODY} bytes")
    if not raw.strip():
        raise BadRequest(400, "MISSING_BODY", "A JSON object body is required")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(400, "INVALID_JSON", f"Malformed JSON body: {_short(exc)}") from None
    if not isinstance(value, dict):
        raise BadRequest(400, "INVALID_BODY", "The JSON body must be an object")
    return value


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:119] + "…"


def check_batch_id(raw: str | None) -> str:
    """A usable batch id or :class:`BadRequest`; missing ids are the caller's business."""
    if raw is None or raw == "":
        raise BadRequest(400, "MISSING_BATCH_ID", "batchId is required")
    if not BATCH_ID_RE.fullmatch(raw):
        raise BadRequest(
            400,
            "INVALID_BATCH_ID",
            "batchId may only hold letters, digits, '_' and '-' (at most 128)",
        )
    return raw


def opt_str(
    body: dict[str, Any],
    key: str,
    where: str = "",
    max_len: int = 10_000,
    numbers: bool = False,
) -> str | None:
    """An optional text field: absent or null is None, anything but text is refused.

    ``numbers`` also takes integers (ids that a JavaScript client may send as numbers).
    """
    value = body.get(key)
    if value is None:
        return None
    allowed = (str, int) if numbers else (str,)
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise BadRequest(400, "INVALID_FIELD", f"{where}{key} must be a string")
    text = str(value)
    if len(text) > max_len:
        raise BadRequest(400, "INVALID_FIELD", f"{where}{key} is longer than {max_len}")
    return text


def opt_obj(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(400, "INVALID_FIELD", f"{key} must be an object")
    return value


def query_int(request: Request, key: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(400, f"INVALID_{key.upper()}", f"{key} must be an integer") from None
    if value < low or value > high:
        raise BadRequest(400, f"INVALID_{key.upper()}", f"{key} must be between {low} and {high}")
    return value
