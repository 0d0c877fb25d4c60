"""Which paths are for programs rather than people.

A machine route answers errors in JSON (RFC 9457), asks for a token instead of redirecting to
the sign-in page, and says how to authenticate on a 401. The read APIs among them also tag
their answers for revalidation (ETag).
"""

from __future__ import annotations

#: The JSON API (``/api/v1``) and the OGC API.
API_PREFIXES = ("/api/", "/ogcapi")
#: Every path for programs: the APIs, the exports and the health check.
MACHINE_PREFIXES = (*API_PREFIXES, "/export/", "/healthz")
