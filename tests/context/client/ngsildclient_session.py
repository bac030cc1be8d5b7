"""Drive a running citybase with the PyPI ``ngsildclient`` package (0.5.x).

Runs in the client's own virtual environment, not the project's: ngsildclient pins
an old httpx. Reads BROKER_PORT and BROKER_TOKEN from the environment and
prints one JSON object with what each step observed as its last line (the
client's own console messages come before it), which the pytest side checks.
"""

from __future__ import annotations

import json
import os
import sys

from ngsildclient import Client, Entity
from requests.auth import AuthBase

TYPE = "AirQualityObserved"
PREFIX = "urn:ngsi-ld:AirQualityObserved:310114102-AQ-"


class Bearer(AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):  # noqa: ANN001, ANN204 - requests' AuthBase protocol
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def station(number: int, no2: float) -> Entity:
    entity = Entity(TYPE, f"310114102-AQ-{number:04d}")
    entity.prop("NO2", no2, unitcode="GQ", observedat="2026-06-01T08:00:00Z")
    entity.prop("stationName", f"南翔 {number}")
    entity.loc(31.30 + number / 1000, 121.30)
    return entity


def main() -> int:
    port = int(os.environ["BROKER_PORT"])
    client = Client(hostname="127.0.0.1", port=port, custom_auth=Bearer(os.environ["BROKER_TOKEN"]),
                    verbose=False)
    observed: dict[str, object] = {}

    first = station(1, 22.5)
    observed["created_one"] = client.create(first)
    fetched = client.get(first.id)
    observed["fetched"] = {"id": fetched.id, "type": fetched.type, "NO2": fetched["NO2"]["value"],
                           "unitCode": fetched["NO2"].get("unitCode"),
                           "location": fetched["location"]["value"]["coordinates"],
                           "stationName": fetched["stationName"]["value"]}

    batch = client.create([station(n, 10.0 * n) for n in range(2, 7)])
    observed["batch_created"] = sorted(batch.success)
    observed["batch_errors"] = batch.errors

    observed["count_all"] = client.entities.count(type=TYPE)
    above = client.query(type=TYPE, q="NO2>35")
    observed["query_above_35"] = sorted(e.id for e in above)
    observed["query_range"] = sorted(e.id for e in client.query(type=TYPE, q='NO2==20..40;stationName~="南翔.*"'))

    observed["deleted_one"] = client.delete(first)
    observed["exists_after_delete"] = client.exists(first.id)
    deleted = client.delete([station(n, 0.0) for n in range(2, 7)])
    observed["batch_deleted"] = sorted(deleted.success)
    observed["count_after_delete"] = client.entities.count(type=TYPE)
    client.close()

    json.dump(observed, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
