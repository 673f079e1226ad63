#!/usr/bin/env bash
# Runs notebooks/audit-week.ipynb headless against the demo store through the dotnet-repl pinned in .config/dotnet-tools.json.
# Fails (non-zero) when the tool cannot be restored, the build or the demo fails, or any cell raises an error.
# Output: notebooks/out/audit-week.out.ipynb (with its charts) and the PNGs beside it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! dotnet tool restore >/dev/null; then
  echo "run.sh: cannot restore dotnet-repl from .config/dotnet-tools.json; the notebook was NOT run" >&2
  exit 3
fi

# the notebook loads the assemblies with #r "bin/..." (native libraries flat beside them, so DuckDB and Skia load)
dotnet publish src/Inference.Cli -c Release --use-current-runtime --self-contained false -o notebooks/bin -v quiet -nologo >/dev/null

out="$root/notebooks/out"
mkdir -p "$out"
demo="$out/inference-demo.duckdb"
dotnet notebooks/bin/inference.dll demo --demo-db "$demo" >"$out/demo.log" 2>&1 || { cat "$out/demo.log" >&2; exit 1; }

# from notebooks/, as an editor runs it: #r "bin/..." and the relative paths resolve the same way
status=0
(cd notebooks && INFERENCE_DB="$demo" NOTEBOOK_OUT="$out" dotnet tool run dotnet-repl -- \
  --run audit-week.ipynb --exit-after-run --output-path "$out/audit-week.out.ipynb") >"$out/repl.log" 2>&1 || status=$?

if [ "$status" -ne 0 ] || grep -q '"output_type": "error"' "$out/audit-week.out.ipynb" 2>/dev/null; then
  echo "run.sh: the notebook failed (dotnet-repl exit $status); see $out/audit-week.out.ipynb and $out/repl.log" >&2
  tail -20 "$out/repl.log" >&2 || true
  exit 1
fi

# stdout of every cell, so a CI log shows what the reviewer would read
python3 - "$out/audit-week.out.ipynb" <<'PY' || true
import json, sys
for cell in json.load(open(sys.argv[1]))["cells"]:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            sys.stdout.write("".join(o.get("text", [])))
PY
echo "run.sh: notebook ran; output in $out/audit-week.out.ipynb"
