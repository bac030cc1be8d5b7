"""JSON-LD context processing, reduced to what NGSI-LD payloads need.

NGSI-LD expands three things with the @context: attribute names (and
sub-attribute names), entity type names, and values of attributes whose term
says ``"@type": "@vocab"``. This module builds an :class:`ActiveContext` from a
context value (URL, inline object or list of both) following the JSON-LD 1.1
context processing algorithm for term definitions, ``@vocab``, compact IRIs
(``prefix:suffix``), keyword aliases and ``null`` mappings. It does not
implement ``@base``-relative IRIs, ``@import``, reverse properties or scoped
contexts (a scoped ``@context`` is stored on the term but not applied).

Contexts are processed once and cached by their JSON text, because expansion
sits on the write path of every entity.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.jsonld.store import CORE_CONTEXT, ContextStore

KEYWORDS = frozenset({
    "@base", "@container", "@context", "@direction", "@graph", "@id", "@import", "@included",
    "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix", "@propagate",
    "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
})
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_MAX_REMOTE_DEPTH = 16


@dataclass(frozen=True)
class TermDefinition:
    """A term's IRI (None for a ``null`` mapping), type coercion, container and prefix flag."""

    iri: str | None
    type_mapping: str | None = None
    container: tuple[str, ...] = ()
    prefix: bool = False
    scoped_context: Any = None


@dataclass
class ActiveContext:
    """Term definitions plus ``@vocab``, with memoised expansion and compaction."""

    terms: dict[str, TermDefinition] = field(default_factory=dict)
    vocab: str | None = None
    _expanded: dict[str, str | None] = field(default_factory=dict, repr=False)
    _compacted: dict[str, str] = field(default_factory=dict, repr=False)
    _inverse: dict[str, str] | None = field(default=None, repr=False)

    def copy(self) -> ActiveContext:
        return ActiveContext(dict(self.terms), self.vocab)

    def expand_iri(self, value: str, vocab: bool = True) -> str | None:
        """Expand a term or compact IRI; None when the term is mapped to ``null``."""
        if value in self._expanded:
            return self._expanded[value]
        result = self._expand(value, vocab)
        if vocab:
            self._expanded[value] = result
        return result

    def _expand(self, value: str, vocab: bool) -> str | None:
        if value in KEYWORDS:
            return value
        definition = self.terms.get(value)
        if definition is not None:
            return definition.iri
        prefix, colon, suffix = value.partition(":")
        if colon:
            if prefix == "_" or suffix.startswith("//"):
                return value
            prefix_definition = self.terms.get(prefix)
            if prefix_definition is not None and prefix_definition.iri and prefix_definition.prefix:
                return prefix_definition.iri + suffix
            return value
        if vocab and self.vocab is not None:
            return self.vocab + value
        return value

    def compact_iri(self, iri: str) -> str:
        """Return the shortest term, vocab-relative name or compact IRI for ``iri``."""
        cached = self._compacted.get(iri)
        if cached is not None:
            return cached
        result = self._compact(iri)
        self._compacted[iri] = result
        return result

    def _compact(self, iri: str) -> str:
        inverse = self._inverse_map()
        if iri in inverse:
            return inverse[iri]
        if self.vocab and iri.startswith(self.vocab):
            suffix = iri[len(self.vocab):]
            if suffix and ":" not in suffix and suffix not in self.terms:
                return suffix
        best: str | None = None
        for term, definition in self.terms.items():
            target = definition.iri
            if not definition.prefix or not target or not iri.startswith(target) or iri == target:
                continue
            candidate = f"{term}:{iri[len(target):]}"
            if candidate in self.terms:
                continue
            if best is None or (len(candidate), candidate) < (len(best), best):
                best = candidate
        return best or iri

    def _inverse_map(self) -> dict[str, str]:
        if self._inverse is None:
            inverse: dict[str, str] = {}
            for term, definition in self.terms.items():
                if definition.iri is None or definition.iri in KEYWORDS:
                    continue
                current = inverse.get(definition.iri)
                if current is None or (len(term), term) < (len(current), current):
                    inverse[definition.iri] = term
            self._inverse = inverse
        return self._inverse

    def term(self, name: str) -> TermDefinition | None:
        return self.terms.get(name)

    def alias_of(self, keyword: str) -> list[str]:
        """Terms that alias ``keyword`` (for example ``id`` for ``@id``)."""
        return [term for term, d in self.terms.items() if d.iri == keyword]


class ContextProcessor:
    """Turn context values into active contexts, resolving URLs through a ContextStore."""

    def __init__(self, store: ContextStore, cache_size: int = 512) -> None:
        self.store = store
        self._cache: OrderedDict[str, ActiveContext] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._core = self._process(ActiveContext(), CORE_CONTEXT, set(), 0)

    @property
    def core(self) -> ActiveContext:
        return self._core

    def active_context(self, user_context: Any) -> ActiveContext:
        """Process ``user_context`` and then the core context on top of it.

        NGSI-LD treats the core context as the last one of every request, so its
        terms (``id``, ``type``, ``value``, ``location``, ...) cannot be redefined.
        """
        if user_context is None or user_context == [] or user_context == CORE_CONTEXT:
            return self._core
        key = json.dumps(user_context, sort_keys=True, ensure_ascii=False)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        active = self._process(ActiveContext(), user_context, set(), 0)
        active = self._process(active, CORE_CONTEXT, set(), 0)
        with self._lock:
            self._cache[key] = active
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return active

    def invalidate(self) -> None:
        """Forget cached contexts, for example after a registered context changed."""
        with self._lock:
            self._cache.clear()

    def _process(self, active: ActiveContext, local: Any, seen: set[str], depth: int) -> ActiveContext:
        if depth > _MAX_REMOTE_DEPTH:
            raise BadRequestData(_("The @context nests more than {n} remote contexts."), n=depth)
        items = local if isinstance(local, list) else [local]
        result = active
        for item in items:
            if item is None:
                result = ActiveContext()
            elif isinstance(item, str):
                result = self._process_url(result, item, seen, depth)
            elif isinstance(item, dict):
                result = self._process_object(result, item)
            else:
                raise BadRequestData(
                    _("An @context entry must be a URL, an object or null, not {value!r}."),
                    value=item,
                )
        return result

    def _process_url(self, active: ActiveContext, url: str, seen: set[str], depth: int) -> ActiveContext:
        if ":" not in url:
            raise BadRequestData(_("The @context URL {url!r} is not an absolute URL."), url=url)
        if url in seen:
            raise BadRequestData(_("The @context {url!r} includes itself."), url=url)
        document = self.store.resolve(url)
        return self._process(active, document["@context"], seen | {url}, depth + 1)

    def _process_object(self, active: ActiveContext, local: dict[str, Any]) -> ActiveContext:
        result = active.copy()
        if "@vocab" in local:
            vocab = local["@vocab"]
            if vocab is None:
                result.vocab = None
            elif isinstance(vocab, str):
                result.vocab = result.expand_iri(vocab) if ":" in vocab or vocab in result.terms else vocab
            else:
                raise BadRequestData(_("@vocab must be a string or null, not {value!r}."), value=vocab)
        defined: dict[str, bool] = {}
        for term in local:
            if term.startswith("@"):
                continue
            self._define(result, local, term, defined)
        return result

    def _define(self, active: ActiveContext, local: dict[str, Any], term: str, defined: dict[str, bool]) -> None:
        if defined.get(term):
            return
        if term in defined:
            raise BadRequestData(_("The @context defines term {term!r} cyclically."), term=term)
        defined[term] = False
        value = local[term]
        if value is None:
            active.terms[term] = TermDefinition(None)
        elif isinstance(value, str):
            iri = self._expand_in_context(active, local, value, defined, term)
            active.terms[term] = TermDefinition(iri, prefix=_is_simple_prefix(term, iri))
        elif isinstance(value, dict):
            active.terms[term] = self._define_expanded(active, local, term, value, defined)
        else:
            raise BadRequestData(
                _("The @context maps term {term!r} to {value!r}; use a string, an object or null."),
                term=term, value=value,
            )
        defined[term] = True

    def _define_expanded(self, active: ActiveContext, local: dict[str, Any], term: str,
                         value: dict[str, Any], defined: dict[str, bool]) -> TermDefinition:
        raw_id = value.get("@id", term if ":" in term else None)
        if "@id" in value and raw_id is None:
            iri: str | None = None
        elif raw_id is None:
            iri = (active.vocab + term) if active.vocab else term
        else:
            iri = self._expand_in_context(active, local, raw_id, defined, term)
        type_mapping = value.get("@type")
        if isinstance(type_mapping, str) and type_mapping not in ("@id", "@vocab", "@json", "@none"):
            type_mapping = self._expand_in_context(active, local, type_mapping, defined, term)
        container = value.get("@container", ())
        if isinstance(container, str):
            container = (container,)
        return TermDefinition(
            iri,
            type_mapping=type_mapping,
            container=tuple(container),
            prefix=bool(value.get("@prefix", False)),
            scoped_context=value.get("@context"),
        )

    def _expand_in_context(self, active: ActiveContext, local: dict[str, Any], value: str,
                           defined: dict[str, bool], current: str) -> str | None:
        if value in KEYWORDS:
            return value
        prefix, colon, _suffix = value.partition(":")
        for dependency in (value, prefix if colon else None):
            if dependency is not None and dependency in local and dependency != current:
                self._define(active, local, dependency, defined)
        definition = active.terms.get(value)
        if definition is not None and value in local and value != current:
            return definition.iri
        if value == current:
            return (active.vocab + value) if active.vocab else value
        return active._expand(value, vocab=True)


def _is_simple_prefix(term: str, iri: str | None) -> bool:
    # JSON-LD 1.1: a simple term definition can act as a prefix when its IRI ends
    # with a gen-delim character and the term itself holds no colon.
    return bool(iri) and ":" not in term and iri.endswith(_GEN_DELIMS)  # type: ignore[union-attr]
