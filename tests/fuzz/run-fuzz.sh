#!/usr/bin/env bash
# Fuzzes the parsers that take untrusted bytes with afl++ (Debian's `afl++`) and SharpFuzz (docs/testing.md, "Fuzzing").
#
#   tests/fuzz/run-fuzz.sh [TARGET|all] [SECONDS]    # default: all targets, 600 s each
#   tests/fuzz/run-fuzz.sh note 60
#
# Targets (tests/Huren.Fuzz/FuzzTargets.cs): note, cosignature, leaf, bundle, proof, network. Seeds are
# tests/Huren.Fuzz/Seeds/<target>/. The fuzz build is copied to TestResults/fuzz/bin and Huren.Sdk.dll and
# Huren.Schemas.dll are instrumented there by SharpFuzz.CommandLine (a local dotnet tool, .config/dotnet-tools.json).
# Findings go to TestResults/fuzz/findings/<target>/default/{crashes,hangs}; each crash is replayed at the end
# (`Huren.Fuzz replay <target> <file>` prints the exception). Exit 1 if any target has a crash.
set -euo pipefail
cd "$(dirname "$0")/../.."
which="${1:-all}"
seconds="${2:-600}"
out=TestResults/fuzz
targets=(note cosignature leaf bundle proof network)
[[ "$which" != all ]] && targets=("$which")
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 2; }

if [[ "${FUZZ_NO_BUILD:-}" != 1 ]]; then dotnet build tests/Huren.Fuzz >/dev/null; fi   # Debug: shares the build of the rest of the tree
dotnet tool restore >/dev/null
rm -rf "$out/bin"
mkdir -p "$out/bin" "$out/findings"
cp -r tests/Huren.Fuzz/bin/Debug/net10.0/. "$out/bin/"
for dll in Huren.Sdk.dll Huren.Schemas.dll; do dotnet sharpfuzz "$out/bin/$dll" >/dev/null; done

# No core dumps to wait for, no CPU governor to check, no tty; afl does not check the dotnet binary for its own
# instrumentation (SharpFuzz instruments the IL).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
crashed=0
for target in "${targets[@]}"; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  echo "== $target: $seconds s"
  # A run that afl ends itself (-V) exits 0; timeout is the backstop.
  timeout $((seconds + 120)) nice -n 10 afl-fuzz -V "$seconds" -i "tests/Huren.Fuzz/Seeds/$target" -o "$findings" -t 10000 -m none \
    -- dotnet "$out/bin/Huren.Fuzz.dll" "$target" >"$out/$target.afl.log" 2>&1 || echo "   afl-fuzz exited $? (see $out/$target.afl.log)"
  stats="$findings/default/fuzzer_stats"
  if [[ -f "$stats" ]]; then
    awk -F' *: *' '/^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time|bitmap_cvg)/ { printf "   %s=%s\n", $1, $2 }' "$stats"
  fi
  shopt -s nullglob
  crashes=("$findings"/default/crashes/id:*)
  if (( ${#crashes[@]} > 0 )); then
    crashed=1
    dotnet tests/Huren.Fuzz/bin/Debug/net10.0/Huren.Fuzz.dll replay "$target" "${crashes[@]}" | sed 's/^/   /' || true
  fi
done
exit $crashed
