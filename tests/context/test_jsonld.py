from __future__ import annotations

import json
from pathlib import Path

import pytest

from citybase.context.errors import BadRequestData, LdContextNotAvailable
from citybase.context.jsonld.context import ContextProcessor
from citybase.context.jsonld.store import CORE_CONTEXT, CORE_CONTEXT_V1_8, ContextStore

NGSI = "https://uri.etsi.org/ngsi-ld/"
DEFAULT = NGSI + "default-context/"
SDM_DEVICE = "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld"
SDM_ENVIRONMENT = "https://smart-data-models.github.io/dataModel.Environment/context.jsonld"


@pytest.fixture(scope="module")
def processor() -> ContextProcessor:
    return ContextProcessor(ContextStore())


def test_core_context_terms(processor: ContextProcessor) -> None:
    core = processor.core
    assert core.expand_iri("location") == NGSI + "location"
    assert core.expand_iri("observedAt") == NGSI + "observedAt"
    assert core.expand_iri("Property") == NGSI + "Property"
    assert core.expand_iri("Point") == "https://purl.org/geojson/vocab#Point"
    assert core.expand_iri("id") == "@id"


def test_unknown_term_goes_to_default_context(processor: ContextProcessor) -> None:
    assert processor.core.expand_iri("temperature") == DEFAULT + "temperature"
    assert processor.core.compact_iri(DEFAULT + "temperature") == "temperature"


def test_smart_data_models_context_resolves_offline(processor: ContextProcessor) -> None:
    active = processor.active_context(SDM_DEVICE)
    assert active.expand_iri("batteryLevel") == "https://smartdatamodels.org/dataModel.Device/batteryLevel"
    assert active.expand_iri("Device") == "https://smartdatamodels.org/dataModel.Device/Device"
    assert active.compact_iri("https://smartdatamodels.org/dataModel.Device/batteryLevel") == "batteryLevel"


def test_environment_context_has_flood_monitoring(processor: ContextProcessor) -> None:
    active = processor.active_context(SDM_ENVIRONMENT)
    assert active.expand_iri("FloodMonitoring").startswith("https://smartdatamodels.org/dataModel.Environment/")


def test_core_terms_win_over_user_terms(processor: ContextProcessor) -> None:
    active = processor.active_context({"location": "http://example.org/where", "speed": "http://example.org/speed"})
    assert active.expand_iri("location") == NGSI + "location"
    assert active.expand_iri("speed") == "http://example.org/speed"


def test_prefix_and_compact_iri(processor: ContextProcessor) -> None:
    active = processor.active_context({"ex": "http://example.org/vocab#", "speed": "ex:speed"})
    assert active.expand_iri("speed") == "http://example.org/vocab#speed"
    assert active.expand_iri("ex:height") == "http://example.org/vocab#height"
    assert active.compact_iri("http://example.org/vocab#height") == "ex:height"
    assert active.compact_iri("http://example.org/vocab#speed") == "speed"


def test_expanded_term_definition_with_type(processor: ContextProcessor) -> None:
    active = processor.active_context({"brand": {"@id": "http://example.org/brand", "@type": "@vocab"}})
    assert active.expand_iri("brand") == "http://example.org/brand"
    assert active.term("brand").type_mapping == "@vocab"


def test_null_mapping_drops_term(processor: ContextProcessor) -> None:
    active = processor.active_context({"secret": None})
    assert active.expand_iri("secret") is None


def test_user_vocab_is_overridden_by_core_vocab(processor: ContextProcessor) -> None:
    active = processor.active_context({"@vocab": "http://example.org/"})
    assert active.expand_iri("anything") == DEFAULT + "anything"


def test_unknown_url_is_ld_context_not_available(processor: ContextProcessor) -> None:
    with pytest.raises(LdContextNotAvailable) as raised:
        processor.active_context("https://example.org/no-such-context.jsonld")
    assert raised.value.status == 503
    assert raised.value.type_uri == NGSI + "errors/LdContextNotAvailable"
    assert "no-such-context" in raised.value.detail


def test_list_with_core_and_inline(processor: ContextProcessor) -> None:
    active = processor.active_context([{"speed": "http://example.org/speed"}, CORE_CONTEXT_V1_8])
    assert active.expand_iri("speed") == "http://example.org/speed"
    assert active.expand_iri("vocab") == NGSI + "hasVocab"


def test_bad_context_value_is_bad_request(processor: ContextProcessor) -> None:
    with pytest.raises(BadRequestData):
        processor.active_context([42])


def test_cyclic_term_definition_is_bad_request(processor: ContextProcessor) -> None:
    with pytest.raises(BadRequestData):
        processor.active_context({"a": "b:x", "b": "a:y"})


def test_active_context_is_cached(processor: ContextProcessor) -> None:
    first = processor.active_context({"speed": "http://example.org/speed"})
    second = processor.active_context({"speed": "http://example.org/speed"})
    assert first is second


def test_registered_context_resolves() -> None:
    store = ContextStore()
    store.register("http://127.0.0.1/ctx.jsonld", {"@context": {"speed": "http://example.org/speed"}})
    active = ContextProcessor(store).active_context("http://127.0.0.1/ctx.jsonld")
    assert active.expand_iri("speed") == "http://example.org/speed"


def test_directory_of_contexts(tmp_path: Path) -> None:
    (tmp_path / "suite.jsonld").write_text(json.dumps({"@context": {"Building": "https://ex.org/Building"}}))
    (tmp_path / "index.json").write_text(json.dumps({"https://ex.org/suite.jsonld": "suite.jsonld"}))
    store = ContextStore([tmp_path])
    active = ContextProcessor(store).active_context(["https://ex.org/suite.jsonld", CORE_CONTEXT])
    assert active.expand_iri("Building") == "https://ex.org/Building"
