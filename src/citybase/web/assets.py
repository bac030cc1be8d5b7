"""Browser libraries served from installed Python packages, so no page loads anything from a CDN.

plotly.js comes from the ``plotly`` package (``plotly/package_data/plotly.min.js``). Its
URL carries the library's version, so browsers may cache it for a year: an upgrade of
the package changes the URL.
"""

from __future__ import annotations

import gzip
import logging
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import APIRouter, Request, Response
from plotly.offline import get_plotlyjs_version

from citybase.core.errors import NotFound
from citybase.core.i18n_marker import N_

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CACHE_FOREVER = "public, max-age=31536000, immutable"


def plotly_js_url() -> str:
    """Return the versioned URL of plotly.js, for ``<script src>``."""
    return f"/assets/plotly-{get_plotlyjs_version()}.min.js"


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, bytes]:
    """Return plotly.min.js as is and gzip-compressed (about 4.8 MB and 1.5 MB for plotly.js 4.1)."""
    raw = PLOTLY_JS.read_bytes()
    packed = gzip.compress(raw, compresslevel=6, mtime=0)
    logger.info("loaded %s: %d bytes, %d gzipped", PLOTLY_JS, len(raw), len(packed))
    return raw, packed


@router.get("/assets/plotly-{version}.min.js")
def plotly_js(version: str, request: Request) -> Response:
    current = get_plotlyjs_version()
    if version != current:
        raise NotFound(N_("This server has plotly.js {current}, not {version}; reload the page."),
                       params={"current": current, "version": version})
    raw, packed = _plotly_js()
    headers = {"Cache-Control": CACHE_FOREVER, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript; charset=utf-8", headers=headers)
    return Response(raw, media_type="text/javascript; charset=utf-8", headers=headers)
