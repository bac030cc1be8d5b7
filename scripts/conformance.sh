#!/usr/bin/env bash
# Run the ETSI NGSI-LD API conformance suite (Robot Framework) against a citybase
# started here on 127.0.0.1 with a fresh data directory and authentication off.
#
# The suite is not part of this repository: check it out anywhere and point
# NGSI_LD_SUITE_DIR at it. Its Robot Framework environment is created on first use
# in NGSI_LD_SUITE_VENV (default: <suite>/.venv) from the suite's requirements.txt.
#
# Usage:  NGSI_LD_SUITE_DIR=/path/to/ngsi-ld-test-suite scripts/conformance.sh [GROUP ...]
#   GROUP is a name from the table below or a path under the suite's TP/NGSI-LD;
#   default: every group of the table.
# Environment:
#   NGSI_LD_VERSION   run only the cases of this spec version and older (default 1.6.1;
#                     "all" runs every case). The suite tags newer cases since_vX.Y.Z.
#   CONFORMANCE_PORT  port of the broker (default 18080)
#   NOTIFY_PORT       port of the suite's notification receiver (default 8085)
#   MQTT_HOST         MQTT broker the MQTT cases publish to and listen on (default 127.0.0.1);
#                     the suite's own start of a Mosquitto container needs docker and is
#                     skipped without it, so a broker must already listen on port 1883
#   MQTT_PORT_2       a second listener of that broker for the non-default-port cases (default 8085)
#   CONFORMANCE_OUT   where Robot writes output.xml, log.html and report.html
#                     (default: a new directory under /tmp)
#   CITYBASE          the citybase command (default: .venv/bin/citybase)
#   TEMPORAL_MAX_INSTANCES  maximum instances per attribute of a temporal read before it
#                     returns 206 (default 10, between the 5 and 20 the suite requires)
# Prints per-group counts and a closing "N passed, N failed" line; exits 0 when the
# suite ran, whatever it counted, and non-zero when it could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

declare -A GROUPS_BY_NAME=(
  [entities]="ContextInformation/Provision/Entities"
  [attributes]="ContextInformation/Provision/EntityAttributes"
  [batch]="ContextInformation/Provision/BatchEntities"
  [consumption]="ContextInformation/Consumption/Entity"
  [discovery]="ContextInformation/Consumption/Discovery"
  [temporal-provision]="ContextInformation/Provision/TemporalEntity ContextInformation/Provision/TemporalEntityAttributes"
  [temporal-consumption]="ContextInformation/Consumption/TemporalEntity"
  [subscriptions]="ContextInformation/Subscription"
  [common]="CommonBehaviours"
  [csource]="ContextSource/Registration ContextSource/Discovery"
)
DEFAULT_GROUPS=(entities attributes batch consumption discovery temporal-provision temporal-consumption subscriptions common)

SUITE=${NGSI_LD_SUITE_DIR:?set NGSI_LD_SUITE_DIR to a checkout of the ETSI NGSI-LD test suite}
SUITE=$(cd "$SUITE" && pwd)
[ -d "$SUITE/TP/NGSI-LD" ] || { echo "NGSI_LD_SUITE_DIR=$SUITE has no TP/NGSI-LD folder; is it the ETSI suite?" >&2; exit 2; }
VENV=${NGSI_LD_SUITE_VENV:-$SUITE/.venv}
VERSION=${NGSI_LD_VERSION:-1.6.1}
PORT=${CONFORMANCE_PORT:-18080}
NOTIFY_PORT=${NOTIFY_PORT:-8085}
CITYBASE=${CITYBASE:-$ROOT/.venv/bin/citybase}
OUT=${CONFORMANCE_OUT:-$(mktemp -d /tmp/citybase-conformance.XXXXXX)}
WORK=$(mktemp -d /tmp/citybase-conformance-run.XXXXXX)
mkdir -p "$OUT"

[ -x "$CITYBASE" ] || { echo "$CITYBASE not found; run 'make install' first or set CITYBASE" >&2; exit 2; }

if [ ! -x "$VENV/bin/robot" ]; then
  echo "creating the suite's Robot Framework environment in $VENV"
  python3 -m venv "$VENV"
  (cd "$SUITE" && "$VENV/bin/pip" install --quiet -r requirements.txt)
fi

# --- test selection ------------------------------------------------------------------
paths=()
for group in "${@:-${DEFAULT_GROUPS[@]}}"; do
  for part in ${GROUPS_BY_NAME[$group]:-$group}; do
    [ -d "$SUITE/TP/NGSI-LD/$part" ] || [ -f "$SUITE/TP/NGSI-LD/$part" ] \
      || { echo "unknown group $group: no TP/NGSI-LD/$part in the suite; known: ${!GROUPS_BY_NAME[*]}" >&2; exit 2; }
    paths+=("TP/NGSI-LD/$part")
  done
done

excludes=()
if [ "$VERSION" != "all" ]; then
  for tag in $(grep -rhoE 'since_v[0-9]+\.[0-9]+\.[0-9]+' "$SUITE/TP/NGSI-LD" | sort -u); do
    newer=$(printf '%s\n%s\n' "${tag#since_v}" "$VERSION" | sort -V | tail -1)
    if [ "$newer" != "$VERSION" ]; then excludes+=(--exclude "$tag"); fi
  done
fi

# --- JSON-LD contexts the suite's payloads name --------------------------------------
# The broker never downloads a context, so the suite's own context files are installed
# under the URLs its payloads use.
SUITE_CONTEXT=$(grep -oE "https?://[^']+compound\.jsonld" "$SUITE/resources/variables.py" | head -1)
mkdir -p "$WORK/contexts"
python3 - "$SUITE" "$WORK/contexts" "$SUITE_CONTEXT" <<'PY'
import json, pathlib, shutil, sys

suite, target, compound_url = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
base = compound_url.rsplit("/", 1)[0]
index = {}
for path in sorted((suite / "resources" / "jsonld-contexts").glob("*.jsonld")):
    shutil.copy(path, target / path.name)
    index[f"{base}/{path.name}"] = path.name
(target / "index.json").write_text(json.dumps(index, indent=1))
PY

# --- the broker ----------------------------------------------------------------------
SERVER_PID=""
WORKER_PID=""
cleanup() {
  for pid in $WORKER_PID $SERVER_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "starting citybase on 127.0.0.1:$PORT (data in $WORK/data, log in $OUT/citybase.log)"
# The suite's README requires a temporal instance limit that 20 instances of one attribute
# exceed and 5 do not, for its paging cases 020_13, 020_14, 021_15 and 021_16. The spec
# leaves the limit to the broker, whose default is 10,000.
export CITYBASE_DATA_DIR="$WORK/data" CITYBASE_DATABASE_URL="" CITYBASE_CONTEXT_AUTH=off \
  CITYBASE_CONTEXT_JSONLD_DIRS="$WORK/contexts" CITYBASE_LOCALE=en \
  CITYBASE_CONTEXT_TEMPORAL_MAX_INSTANCES="${TEMPORAL_MAX_INSTANCES:-10}"
"$CITYBASE" serve --host 127.0.0.1 --port "$PORT" --no-worker >"$OUT/citybase.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
       "http://127.0.0.1:$PORT/ngsi-ld/v1/types" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "citybase exited; see $OUT/citybase.log" >&2; tail -20 "$OUT/citybase.log" >&2; exit 1; }
  sleep 1
done
# A separate worker with a short tick delivers notifications within about a second;
# the suite waits at most a few seconds for one.
"$CITYBASE" worker --tick 0.5 >"$OUT/worker.log" 2>&1 &
WORKER_PID=$!

# --- the suite -----------------------------------------------------------------------
URL="http://127.0.0.1:$PORT/ngsi-ld/v1"
echo "running ${#paths[@]} path(s) of the suite, spec version $VERSION; results in $OUT"
set +e
(cd "$SUITE" && "$VENV/bin/robot" --outputdir "$OUT" --console dotted --consolewidth 120 \
  --variable "url:$URL" --variable "temporal_api_url:$URL" \
  --variable "notification_server_host:127.0.0.1" --variable "notification_server_port:$NOTIFY_PORT" \
  --variable "context_source_host:127.0.0.1" --variable "context_server_host:127.0.0.1" \
  --variable "mqtt_broker_host:${MQTT_HOST:-127.0.0.1}" --variable "mqtt_broker_non_default_port:${MQTT_PORT_2:-8085}" \
  "${excludes[@]}" "${paths[@]}") >"$OUT/robot.log" 2>&1
robot_status=$?
set -e
if [ ! -f "$OUT/output.xml" ]; then
  echo "the suite produced no output.xml (exit $robot_status); see $OUT/robot.log" >&2
  tail -20 "$OUT/robot.log" >&2
  exit 1
fi

"$VENV/bin/python" "$ROOT/scripts/conformance_counts.py" "$OUT/output.xml"
