#!/usr/bin/env bash
# Calico end to end with an independent Kafka client: kcat starts librdkafka's mock broker (its stdin held open from a FIFO
# keeps the broker alive), a second kcat produces the bundled Felix records to it from the file (kcat buffers stdin, so the
# last line would wait for EOF), `inference ingest calico` consumes them into a fresh store,
# and `inference edges -o json` must hold exactly the expected edges and connections (src/Inference.Cli/Samples/calico/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLES=src/Inference.Cli/Samples/calico/flows.ndjson
EXPECTED_EDGES=20
EXPECTED_CONNECTIONS=2107
EXPECTED_DEAD_LETTERS=2
TOPIC=calico-flows

if ! command -v kcat >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq kcat) >/dev/null 2>&1 || { echo "kcat-calico: kcat is not installed and could not be" >&2; exit 1; }
fi

work=$(mktemp -d)
kcat_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$kcat_pid" ]; then kill "$kcat_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/stdin"
kcat -P -X test.mock.num.brokers=1 -d mock -b localhost:1 -t "$TOPIC" < "$work/stdin" 2> "$work/kcat.log" &
kcat_pid=$!
exec 3> "$work/stdin"

brokers=""
for _ in $(seq 1 100); do
  brokers=$(grep -o 'bootstrap.servers=[0-9.:]*' "$work/kcat.log" | head -1 | cut -d= -f2 || true)
  [ -n "$brokers" ] && break
  sleep 0.1
done
[ -n "$brokers" ] || { echo "kcat-calico: the mock broker did not log its address" >&2; cat "$work/kcat.log" >&2; exit 1; }
echo "kcat-calico: mock broker at $brokers"

messages=$(grep -c . "$SAMPLES")
kcat -P -b "$brokers" -t "$TOPIC" -l "$SAMPLES"
# wait until kcat delivered everything (read back with a second kcat)
for _ in $(seq 1 60); do
  delivered=$(kcat -C -b "$brokers" -t "$TOPIC" -o beginning -e -q 2>/dev/null | grep -c . || true)
  [ "$delivered" -ge "$messages" ] && break
  sleep 1
done
echo "kcat-calico: kcat produced $delivered of $messages records"
[ "$delivered" -ge "$messages" ] || { echo "kcat-calico: kcat did not deliver every record" >&2; exit 1; }

db="$work/calico.duckdb"
dotnet build src/Inference.Cli -v q -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; echo "kcat-calico: build failed" >&2; exit 1; }
dotnet run --no-build --project src/Inference.Cli -- ingest calico --brokers "$brokers" --topic "$TOPIC" --group ci-kcat \
  --from-beginning --idle-timeout 10s --db "$db"
dotnet run --no-build --project src/Inference.Cli -- edges -o json --db "$db" > "$work/edges.json"
dotnet run --no-build --project src/Inference.Cli -- status --db "$db"

edges=$(grep -c '^  {' "$work/edges.json" || true)
connections=$(awk '/^    "connections":/ { gsub(/[^0-9]/, "", $2); s += $2 } END { print s + 0 }' "$work/edges.json")
dead=$(dotnet run --no-build --project src/Inference.Cli -- status --db "$db" | awk '$1 == "kafka:'"$TOPIC"'" && NF >= 3 && $2 ~ /^[0-9,]+$/ && prev == "dead" { print $2 } /^Dead letters/ { prev = "dead" }' | head -1 | tr -d ,)
echo "kcat-calico: $edges edges (expected $EXPECTED_EDGES), $connections connections (expected $EXPECTED_CONNECTIONS), ${dead:-0} dead letters (expected $EXPECTED_DEAD_LETTERS)"
if [ "$edges" -ne "$EXPECTED_EDGES" ] || [ "$connections" -ne "$EXPECTED_CONNECTIONS" ] || [ "${dead:-0}" -ne "$EXPECTED_DEAD_LETTERS" ]; then
  echo "kcat-calico: FAILED" >&2
  exit 1
fi
echo "kcat-calico: ok"
