"""Offline store of JSON-LD context documents, keyed by the URL clients put in ``@context``.

The broker never fetches a context over the network: a site may be air-gapped,
and a context fetched at run time makes every request depend on a third-party
server. Contexts come from three places, in this order:

1. contexts registered at run time (``register``), for example by an operator
   command or by the ``/jsonldContexts`` endpoint;
2. directories given to the store, each holding ``*.jsonld`` files and an
   ``index.json`` that maps a URL to a file name;
3. the contexts shipped in this package: the ETSI NGSI-LD core contexts v1.6,
   v1.8 and v1.9, and the Smart Data Models domains the district uses.

A URL found in none of them raises LdContextNotAvailable (HTTP 503), as
ETSI GS CIM 009 V1.6.1 prescribes for a context that cannot be retrieved.
"""

from __future__ import annotations

import json
import logging
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from citybase.context.errors import LdContextNotAvailable
from citybase.context.i18n import _

logger = logging.getLogger(__name__)

CORE_CONTEXT_V1_6 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
CORE_CONTEXT_V1_8 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
CORE_CONTEXT_V1_9 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
# The unversioned URL names the newest core context; the broker targets v1.6.1.
CORE_CONTEXT_UNVERSIONED = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
CORE_CONTEXT = CORE_CONTEXT_V1_6

_SHIPPED_FILES = {
    CORE_CONTEXT_V1_6: "ngsi-ld-core-context-v1.6.jsonld",
    CORE_CONTEXT_V1_8: "ngsi-ld-core-context-v1.8.jsonld",
    CORE_CONTEXT_V1_9: "ngsi-ld-core-context-v1.9.jsonld",
    CORE_CONTEXT_UNVERSIONED: "ngsi-ld-core-context-v1.6.jsonld",
}
_SMART_DATA_MODELS_FILE = "smart-data-models.json"


class ContextStore:
    """Resolve context URLs to documents without network access."""

    def __init__(self, directories: list[Path] | None = None) -> None:
        self._registered: dict[str, dict[str, Any]] = {}
        self._documents: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._load_shipped()
        for directory in directories or []:
            self.load_directory(directory)

    def urls(self) -> list[str]:
        """Every URL the store resolves, registered ones first."""
        return [*self._registered, *self._documents]

    def register(self, url: str, document: dict[str, Any]) -> None:
        """Make ``url`` resolve to ``document`` (an object holding ``@context``)."""
        _check_document(url, document)
        with self._lock:
            self._registered[url] = document

    def unregister(self, url: str) -> bool:
        with self._lock:
            return self._registered.pop(url, None) is not None

    def is_registered(self, url: str) -> bool:
        return url in self._registered

    def load_directory(self, directory: Path) -> int:
        """Load the contexts that ``directory/index.json`` lists; return how many."""
        index_path = directory / "index.json"
        index = json.loads(index_path.read_text(encoding="utf-8"))
        for url, file_name in index.items():
            document = json.loads((directory / file_name).read_text(encoding="utf-8"))
            _check_document(url, document)
            self._documents[url] = document
        logger.info("loaded %d JSON-LD contexts from %s", len(index), directory)
        return len(index)

    def resolve(self, url: str) -> dict[str, Any]:
        """Return the document of ``url``; raise LdContextNotAvailable when there is none."""
        document = self._registered.get(url) or self._documents.get(url)
        if document is None:
            raise LdContextNotAvailable(
                _("The JSON-LD context {url!r} is not available offline; this broker never "
                  "downloads contexts. Use a context it ships, send the context inline, or "
                  "ask the operator to install it."),
                url=url,
            )
        return document

    def _load_shipped(self) -> None:
        package = resources.files("citybase.context.jsonld") / "contexts"
        for url, file_name in _SHIPPED_FILES.items():
            self._documents[url] = json.loads((package / file_name).read_text(encoding="utf-8"))
        models = json.loads((package / _SMART_DATA_MODELS_FILE).read_text(encoding="utf-8"))
        for domain in models["domains"].values():
            document = {"@context": domain["terms"]}
            for url in domain["urls"]:
                self._documents[url] = document


def _check_document(url: str, document: Any) -> None:
    if not isinstance(document, dict) or "@context" not in document:
        raise ValueError(f"context document for {url} must be a JSON object with '@context'")
