#!/usr/bin/env bash
# The kill -9 soak of issue 20 item 3 (docs/testing.md, "Soak"): three real node processes; Zhuzhou's node is killed with
# SIGKILL at random moments under concurrent load from several clients and started again, CYCLES times; every
# acknowledged entry must be in its log with its leaf hash, the other cities' mirrors must converge to its size and
# root, `huren audit log` must be clean and no witness may quarantine it.
#
#   tests/soak/run-soak.sh [CYCLES] [CLIENTS]      # default 100 cycles, 4 clients
#   HUREN_SOAK_SEED=42 tests/soak/run-soak.sh 10   # a chosen kill schedule (the seed is printed by every run)
#   HUREN_SOAK_MAX_MINUTES=45 tests/soak/run-soak.sh  # start no cycle after 45 min, then run the end checks
#
# Output (with the per-cycle figures and the final "SOAK RESULT" line) goes to TestResults/soak/soak-<time>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles="${1:-100}"
clients="${2:-4}"
mkdir -p TestResults/soak
log="TestResults/soak/soak-$(date -u +%Y%m%dT%H%M%SZ).log"
if [[ "${SOAK_NO_BUILD:-}" != 1 ]]; then dotnet build tests/Huren.Network.Tests >/dev/null; fi
echo "soak: $cycles cycles, $clients clients; log $log, progress ${log%.log}.progress"
start=$(date +%s)
set +e
HUREN_SOAK=1 HUREN_SOAK_CYCLES="$cycles" HUREN_SOAK_CLIENTS="$clients" \
  HUREN_SOAK_PROGRESS="$PWD/${log%.log}.progress" \
  dotnet test tests/Huren.Network.Tests --no-build --filter "FullyQualifiedName~SoakTests" \
  --logger "console;verbosity=detailed" >"$log" 2>&1
code=$?
set -e
echo "exit $code after $(( $(date +%s) - start )) s"
grep -E "SOAK RESULT|soak:|^\s+cycle [0-9]+:|Passed|Failed|Total tests" "$log" || true
exit $code
