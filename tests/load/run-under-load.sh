#!/usr/bin/env bash
# Issue 20 item 2: runs the network and CLI test suites while BUSY processes (default 4) spin on the CPUs, to show the
# tests' waits follow readiness and not fixed bounds (docs/testing.md, "Under load").
#
#   tests/load/run-under-load.sh                      # 4 busy processes; Huren.Network.Tests and Huren.Cli.Tests
#   BUSY=8 tests/load/run-under-load.sh tests/Huren.Cli.Tests --filter "FullyQualifiedName~NetworkUp"
#
# Arguments, when given, replace the default suites: a test project followed by options for `dotnet test`.
# TRX files and logs go to TestResults/load/<time>/; the last line sums passed / failed / skipped over the TRX files.
set -euo pipefail
cd "$(dirname "$0")/../.."
busy="${BUSY:-4}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="TestResults/load/$stamp"
mkdir -p "$out"
if [[ "${LOAD_NO_BUILD:-}" != 1 ]]; then
  dotnet build tests/Huren.Network.Tests >/dev/null
  dotnet build tests/Huren.Cli.Tests >/dev/null
fi

pids=()
stop_busy() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_busy EXIT
for _ in $(seq "$busy"); do
  ( while :; do :; done ) &
  pids+=("$!")
done
echo "started $busy busy processes (${pids[*]}) on $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
  local project="$1"; shift
  local name; name="$(basename "$project")"
  local t0; t0=$(date +%s)
  set +e
  dotnet test "$project" --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$out" "$@" >"$out/$name.log" 2>&1
  local code=$?
  set -e
  echo "$name: exit $code in $(( $(date +%s) - t0 )) s; load $(cut -d' ' -f1-3 /proc/loadavg); $(grep -E '^(Passed!|Failed!)' "$out/$name.log" | tail -1)"
}

start=$(date +%s)
if (( $# > 0 )); then
  run "$@"
else
  run tests/Huren.Network.Tests
  run tests/Huren.Cli.Tests
fi
stop_busy
echo "total $(( $(date +%s) - start )) s under $busy busy processes"
python3 - "$out" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
p = f = s = 0
for trx in glob.glob(sys.argv[1] + '/*.trx'):
    c = ET.parse(trx).getroot().find('t:ResultSummary/t:Counters', ns)
    p += int(c.get('passed')); f += int(c.get('failed')); s += int(c.get('notExecuted', 0))
    for r in ET.parse(trx).getroot().iter('{%s}UnitTestResult' % ns['t']):
        if r.get('outcome') == 'Failed': print('FAILED', r.get('testName'), r.get('duration'))
print(f'{p} passed, {f} failed, {s} skipped')
PY
