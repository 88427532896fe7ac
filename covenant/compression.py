"""HTML compressed by the app: Brotli where the client accepts it, else gzip.

BREACH (Django's note on GZipMiddleware): a compressed page that reflects what an
attacker sends beside a secret can leak the secret through the compressed length. What
keeps that shut here:
- the one secret on ordinary pages is the CSRF token, which Django masks afresh for every
  request, so it never repeats between two responses an attacker could compare;
- every compressed body is padded with 0-100 random bytes (gzip: Django's own
  "Heal the Breach" filename padding; Brotli: a random-length HTML comment), so lengths
  are noisy;
- the account pages (/accounts/: confirmation and reset keys, sign-in codes) and the admin
  are never compressed by the app.
Responses already encoded, streamed or smaller than 200 bytes are left alone, as Django's
GZipMiddleware does.
"""

from __future__ import annotations

import secrets

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

_ACCEPTS_BROTLI = _lazy_re_compile(r"\bbr\b")
UNCOMPRESSED_PREFIXES = ("/accounts/", "/admin/")
BROTLI_QUALITY = 5  # about gzip's speed at level 6, and smaller


def _padding() -> bytes:
    return b"<!--" + b" " * secrets.randbelow(101) + b"-->"


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if request.path.startswith(UNCOMPRESSED_PREFIXES):
            return response
        if not _ACCEPTS_BROTLI.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return super().process_response(request, response)
        if (
            response.streaming
            or len(response.content) < 200
            or response.has_header("Content-Encoding")
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        padded = response.content
        if response.get("Content-Type", "").startswith("text/html"):
            padded += _padding()
        compressed = brotli.compress(padded, quality=BROTLI_QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        if (etag := response.get("ETag")) and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
