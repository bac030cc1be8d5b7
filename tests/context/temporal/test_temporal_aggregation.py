"""The aggregated temporal representation (aggrMethods, aggrPeriodDuration) on SQLite or PostgreSQL."""

from __future__ import annotations

import math

from tests.context.conftest import Ngsi
from tests.context.temporal.test_temporal_api import ERRORS, SENSOR, tpath

VEHICLE = "urn:ngsi-ld:Vehicle:B9211"
ALL_METHODS = "totalCount,distinctCount,sum,avg,min,max,stddev,sumsq"


def property_instances(*pairs: tuple[object, str], dataset: str | None = None) -> list[dict]:
    items = []
    for value, observed in pairs:
        item = {"type": "Property", "value": value, "observedAt": observed}
        if dataset:
            item["datasetId"] = dataset
        items.append(item)
    return items


def vehicle() -> dict:
    """Three speeds within one hour and three fuel levels an hour apart."""
    return {
        "id": VEHICLE, "type": "Vehicle",
        "speed": property_instances((120, "2020-08-01T12:03:00Z"), (80, "2020-08-01T12:05:00Z"),
                                    (100, "2020-08-01T12:07:00Z")),
        "fuelLevel": property_instances((67, "2020-08-01T12:03:00Z"), (53, "2020-08-01T13:05:00Z"),
                                        (40, "2020-08-01T14:07:00Z")),
    }


def aggregated(ngsi: Ngsi, path: str, methods: str, duration: str | None = None, **query: str):
    params = {"options": "aggregatedValues", "aggrMethods": methods, **query}
    if duration is not None:
        params["aggrPeriodDuration"] = duration
    return ngsi.get(path, params=params)


def test_avg_per_hour_from_oldest_instance(ngsi: Ngsi) -> None:
    assert ngsi.post("/temporal/entities", vehicle()).status_code == 201

    got = aggregated(ngsi, tpath(VEHICLE), "avg", "PT1H")

    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == VEHICLE
    assert body["type"] == "Vehicle"
    assert body["speed"] == {"type": "Property", "avg": [[100.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"]]}
    assert body["fuelLevel"] == {"type": "Property", "avg": [
        [67.0, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"],
        [53.0, "2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"],
        [40.0, "2020-08-01T14:03:00Z", "2020-08-01T15:03:00Z"],
    ]}


def test_every_method_over_whole_interval(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-05-01T08:00:00Z"), (2, "2024-05-01T08:10:00Z"),
                                               (2, "2024-05-01T08:20:00Z"), (5, "2024-05-01T08:30:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, tpath(), ALL_METHODS, timerel="between", timeAt="2024-05-01T07:00:00Z",
                     endTimeAt="2024-05-01T09:00:00Z")

    assert got.status_code == 200, got.text
    level = got.json()["waterLevel"]
    period = ["2024-05-01T07:00:00Z", "2024-05-01T09:00:00Z"]
    assert level["totalCount"] == [[4, *period]]
    assert level["distinctCount"] == [[3, *period]]
    assert level["sum"] == [[10.0, *period]]
    assert level["avg"] == [[2.5, *period]]
    assert level["min"] == [[1.0, *period]]
    assert level["max"] == [[5.0, *period]]
    assert level["sumsq"] == [[34.0, *period]]
    # Sample standard deviation: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 6.25 = 9, divided by 3.
    assert math.isclose(level["stddev"][0][0], math.sqrt(3.0))
    assert level["stddev"][0][1:] == period


def test_default_duration_spans_instances(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", vehicle())

    got = aggregated(ngsi, tpath(VEHICLE), "max", attrs="fuelLevel")

    assert got.status_code == 200, got.text
    assert got.json()["fuelLevel"]["max"] == [[67.0, "2020-08-01T12:03:00Z", "2020-08-01T14:07:00Z"]]
    assert "speed" not in got.json()


def test_period_bounds_inclusive_exclusive(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-05-01T08:00:00Z"), (2, "2024-05-01T08:29:59.999Z"),
                                               (4, "2024-05-01T08:30:00Z"), (8, "2024-05-01T09:00:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, tpath(), "sum,totalCount", "PT30M", timerel="between",
                     timeAt="2024-05-01T08:00:00Z", endTimeAt="2024-05-01T09:00:00Z")

    assert got.status_code == 200, got.text
    level = got.json()["waterLevel"]
    # timeAt is inside the interval and endTimeAt outside. A period contains its start but not its end.
    assert level["sum"] == [[3.0, "2024-05-01T08:00:00Z", "2024-05-01T08:30:00Z"],
                            [4.0, "2024-05-01T08:30:00Z", "2024-05-01T09:00:00Z"]]
    assert level["totalCount"] == [[2, "2024-05-01T08:00:00Z", "2024-05-01T08:30:00Z"],
                                   [1, "2024-05-01T08:30:00Z", "2024-05-01T09:00:00Z"]]


def test_empty_periods_are_left_out(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-05-01T08:10:00Z"), (3, "2024-05-01T10:20:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, tpath(), "totalCount", "PT1H", timerel="after", timeAt="2024-05-01T08:00:00Z")

    assert got.json()["waterLevel"]["totalCount"] == [[1, "2024-05-01T08:00:00Z", "2024-05-01T09:00:00Z"],
                                                      [1, "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z"]]


def test_no_instance_in_interval(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", vehicle())

    got = aggregated(ngsi, tpath(VEHICLE), "avg", "PT1H", timerel="after", timeAt="2021-01-01T00:00:00Z")
    query = aggregated(ngsi, "/temporal/entities", "avg", "PT1H", type="Vehicle", timerel="after",
                       timeAt="2021-01-01T00:00:00Z")

    assert got.status_code == 200, got.text
    assert got.json() == {"id": VEHICLE, "type": "Vehicle"}
    assert query.status_code == 200, query.text
    assert query.json() == []


def test_periods_before_time_at_end_there(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-05-01T06:30:00Z"), (2, "2024-05-01T07:45:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, tpath(), "max", "PT1H", timerel="before", timeAt="2024-05-01T08:00:00Z")

    assert got.json()["waterLevel"]["max"] == [[1.0, "2024-05-01T06:00:00Z", "2024-05-01T07:00:00Z"],
                                               [2.0, "2024-05-01T07:00:00Z", "2024-05-01T08:00:00Z"]]


def test_strings_take_counts_min_max(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "status": property_instances(("ok", "2024-05-01T08:00:00Z"), ("low", "2024-05-01T08:10:00Z"),
                                           ("ok", "2024-05-01T08:20:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, tpath(), ALL_METHODS)

    status = got.json()["status"]
    assert status["totalCount"][0][0] == 3
    assert status["distinctCount"][0][0] == 2
    assert status["min"][0][0] == "low"
    assert status["max"][0][0] == "ok"
    for method in ("sum", "avg", "stddev", "sumsq"):
        assert status[method][0][0] is None, method


def test_booleans_count_as_one_and_zero(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "flooded": property_instances((True, "2024-05-01T08:00:00Z"), (False, "2024-05-01T08:10:00Z"),
                                            (True, "2024-05-01T08:20:00Z"))}
    ngsi.post("/temporal/entities", entity)

    flooded = aggregated(ngsi, tpath(), ALL_METHODS).json()["flooded"]

    assert flooded["sum"][0][0] == 2.0
    assert math.isclose(flooded["avg"][0][0], 2 / 3)
    assert flooded["min"][0][0] == 0.0
    assert flooded["max"][0][0] == 1.0
    assert flooded["sumsq"][0][0] == 2.0
    assert flooded["distinctCount"][0][0] == 2


def test_arrays_aggregate_their_sizes(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "alarms": property_instances((["a"], "2024-05-01T08:00:00Z"), (["a", "b", "c"], "2024-05-01T08:10:00Z"))}
    ngsi.post("/temporal/entities", entity)

    alarms = aggregated(ngsi, tpath(), "sum,avg,min,max,totalCount").json()["alarms"]

    assert alarms["sum"][0][0] == 4.0
    assert alarms["avg"][0][0] == 2.0
    assert alarms["min"][0][0] == 1.0
    assert alarms["max"][0][0] == 3.0
    assert alarms["totalCount"][0][0] == 2


def test_relationships_take_only_counts(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor", "feeds": [
        {"type": "Relationship", "object": "urn:ngsi-ld:Pump:1", "observedAt": "2024-05-01T08:00:00Z"},
        {"type": "Relationship", "object": "urn:ngsi-ld:Pump:2", "observedAt": "2024-05-01T08:10:00Z"},
        {"type": "Relationship", "object": "urn:ngsi-ld:Pump:1", "observedAt": "2024-05-01T08:20:00Z"},
    ]}
    ngsi.post("/temporal/entities", entity)

    feeds = aggregated(ngsi, tpath(), "totalCount,distinctCount,min,sum").json()["feeds"]

    assert feeds["type"] == "Relationship"
    assert feeds["totalCount"][0][0] == 3
    assert feeds["distinctCount"][0][0] == 2
    assert feeds["min"][0][0] is None
    assert feeds["sum"][0][0] is None


def test_calendar_months_on_query(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-01-31T12:00:00Z"), (2, "2024-02-29T11:59:59Z"),
                                               (4, "2024-02-29T12:00:00Z"), (8, "2024-03-31T13:00:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = aggregated(ngsi, "/temporal/entities", "sum", "P1M", type="WaterLevelSensor", timerel="after",
                     timeAt="2024-01-31T12:00:00Z")

    assert got.status_code == 200, got.text
    # A month after January 31 is the last day of February, then March 31.
    assert got.json()[0]["waterLevel"]["sum"] == [
        [3.0, "2024-01-31T12:00:00Z", "2024-02-29T12:00:00Z"],
        [4.0, "2024-02-29T12:00:00Z", "2024-03-31T12:00:00Z"],
        [8.0, "2024-03-31T12:00:00Z", "2024-04-30T12:00:00Z"],
    ]


def test_post_query_reads_temporal_q(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", vehicle())
    body = {"type": "Query", "entities": [{"type": "Vehicle"}],
            "temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:03:00Z", "aggrMethods": ["min", "max"],
                          "aggrPeriodDuration": "P1D"}}

    got = ngsi.post("/temporal/entityOperations/query", body, params={"options": "aggregatedValues"})

    assert got.status_code == 200, got.text
    speed = got.json()[0]["speed"]
    assert speed["min"] == [[80.0, "2020-08-01T12:03:00Z", "2020-08-02T12:03:00Z"]]
    assert speed["max"] == [[120.0, "2020-08-01T12:03:00Z", "2020-08-02T12:03:00Z"]]


def test_last_n_keeps_latest_periods(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", vehicle())

    got = aggregated(ngsi, tpath(VEHICLE), "avg", "PT1H", lastN="2", attrs="fuelLevel")

    assert got.json()["fuelLevel"]["avg"] == [[53.0, "2020-08-01T13:03:00Z", "2020-08-01T14:03:00Z"],
                                              [40.0, "2020-08-01T14:03:00Z", "2020-08-01T15:03:00Z"]]


def test_dataset_ids_aggregate_apart(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": property_instances((1, "2024-05-01T08:00:00Z"), dataset="urn:ngsi-ld:Dataset:a")
              + property_instances((5, "2024-05-01T08:00:00Z"), dataset="urn:ngsi-ld:Dataset:b")}
    ngsi.post("/temporal/entities", entity)

    level = aggregated(ngsi, tpath(), "max").json()["waterLevel"]

    assert {item["datasetId"]: item["max"][0][0] for item in level} == {
        "urn:ngsi-ld:Dataset:a": 1.0, "urn:ngsi-ld:Dataset:b": 5.0}


def test_aggregation_errors_are_bad_request(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", vehicle())
    cases = [
        ({"options": "aggregatedValues", "aggrMethods": "median"}, "median"),
        ({"options": "aggregatedValues", "aggrMethods": "avg,"}, None),
        ({"options": "aggregatedValues"}, "aggrMethods"),
        ({"format": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "bogus"}, "bogus"),
        ({"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "PT"}, "PT"),
        ({"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "1H"}, "1H"),
        ({"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "P1H"}, "P1H"),
        ({"options": "aggregatedValues,temporalValues", "aggrMethods": "avg"}, "temporalValues"),
        ({"aggrMethods": "median"}, "median"),
        ({"options": "aggregatedValues", "aggrMethods": "avg", "timeproperty": "deletedAt"}, "deletedAt"),
    ]
    for params, named in cases:
        got = ngsi.get(tpath(VEHICLE), params=params)
        assert got.status_code == 400, (params, got.text)
        assert got.json()["type"] == ERRORS + "BadRequestData", params
        if named:
            assert named in got.json()["detail"], (params, got.json())
    post = ngsi.post("/temporal/entityOperations/query",
                     {"type": "Query", "entities": [{"type": "Vehicle"}],
                      "aggrParams": {"aggrMethods": ["avg"], "aggrPeriodDuration": "bogus"}},
                     params={"options": "aggregatedValues"})
    assert post.status_code == 400, post.text
    assert "bogus" in post.json()["detail"]


def test_too_many_periods_is_bad_request(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 10)
    ngsi.post("/temporal/entities", vehicle())

    got = aggregated(ngsi, tpath(VEHICLE), "avg", "PT1M")

    assert got.status_code == 400, got.text
    assert got.json()["type"] == ERRORS + "BadRequestData"
    assert "PT1M" in got.json()["detail"]


def test_calendar_periods_respect_limit() -> None:
    import datetime as dt

    import pytest

    from citybase.context.errors import BadRequestData
    from citybase.context.temporal.aggregation import calendar_periods, parse_period_duration, to_millis

    origin = to_millis(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    two_years_later = to_millis(dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    month = parse_period_duration("P1M")

    starts = calendar_periods(origin, month, origin, two_years_later, 30)

    assert len(starts) == 25
    with pytest.raises(BadRequestData):
        calendar_periods(origin, month, origin, two_years_later, 10)


def test_period_durations_parse() -> None:
    from citybase.context.temporal.aggregation import parse_period_duration

    assert parse_period_duration("PT1H").millis == 3_600_000
    assert parse_period_duration("P1DT30M").millis == 86_400_000 + 1_800_000
    assert parse_period_duration("P2W").millis == 2 * 604_800_000
    assert parse_period_duration("PT0.5S").millis == 500
    assert parse_period_duration("P1Y2M").months == 14
    assert parse_period_duration("P0D").whole_range
    assert parse_period_duration("PT0S").whole_range


def test_date_times_take_min_max(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor", "lastService": property_instances(
        ({"@type": "DateTime", "@value": "2024-04-02T10:00:00Z"}, "2024-05-01T08:00:00Z"),
        ({"@type": "DateTime", "@value": "2024-03-15T09:30:00Z"}, "2024-05-01T08:10:00Z"),
    )}
    assert ngsi.post("/temporal/entities", entity).status_code == 201

    service = aggregated(ngsi, tpath(), "min,max,avg,distinctCount").json()["lastService"]

    assert service["min"][0][0] == "2024-03-15T09:30:00Z"
    assert service["max"][0][0] == "2024-04-02T10:00:00Z"
    assert service["avg"][0][0] is None
    assert service["distinctCount"][0][0] == 2
