"""A lesson's media from Django's storage, answering HTTP Range requests (RFC 9110 §14): 206 with
Content-Range for one satisfiable range, 416 with `Content-Range: bytes */size` when none is, the
whole file (200) without a Range header or with several ranges (a server may ignore Range)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from typing import IO, Any

from django.core.files.storage import Storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CHUNK = 64 * 1024
SMALL = 1024 * 1024  # answers up to this size are sent whole, larger ones streamed
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive for one range; None: no usable Range (serve everything); False:
    unsatisfiable (416)."""
    header = header.strip()
    if not header or "," in header:
        return None
    m = _RANGE.match(header.replace(" ", ""))
    if m is None:
        return None
    first_s, last_s = m.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # the last N bytes
        n = int(last_s)
        if n == 0 or size == 0:
            return False
        return (max(0, size - n), size - 1)
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if last_s and last < first:
        return None  # syntactically invalid: ignored
    if first >= size:
        return False
    return (first, min(last, size - 1))


def _chunks(fh: IO[Any], start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        left = length
        while left > 0:
            data = fh.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        fh.close()


def ranged_file_response(request: HttpRequest, storage: Storage, name: str) -> HttpResponseBase:
    size = storage.size(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    fh = storage.open(name, "rb")
    if wanted is None or wanted is True:
        start, length, status = 0, size, 200
    else:
        start, length, status = wanted[0], wanted[1] - wanted[0] + 1, 206
    if request.method == "HEAD":
        fh.close()
        response: HttpResponseBase = HttpResponse(status=status, content_type=content_type)
    elif length <= SMALL:
        # A small answer in one piece (no generator to keep open while the client reads).
        body = b"".join(_chunks(fh, start, length))
        response = HttpResponse(body, status=status, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _chunks(fh, start, length), status=status, content_type=content_type
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
