#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the dotnet tool pinned in .config/dotnet-tools.json) over the trust core, with the
# project's own test projects. Heavy: one target at a time, low concurrency.
#
#   tests/mutation/run-stryker.sh evidence  # sdk/Huren.Sdk/Evidence, killed by tests/Huren.Sdk.Tests
#   tests/mutation/run-stryker.sh notes     # sdk/Huren.Sdk/Notes, killed by tests/Huren.Sdk.Tests
#   tests/mutation/run-stryker.sh merkle    # sdk/Huren.Sdk/Merkle/MerkleProofVerifier.cs, tests/Huren.Sdk.Tests
#   tests/mutation/run-stryker.sh witness   # node/Huren.Node/Witness, tests/Huren.Node.Tests
#
# Arguments after the target go to Stryker as they are, e.g. a re-run of one file or of the witness's own tests:
#   tests/mutation/run-stryker.sh evidence --mutate '**/Evidence/SealEvidenceVerifier.cs'
#   tests/mutation/run-stryker.sh witness --test-case-filter 'FullyQualifiedName~Huren.Node.Tests.Witness'
# A span after a file pattern ('**/Witness.cs{9000..11000}') counts characters from the file's start, not lines.
#
# STRYKER_CONCURRENCY (default 1) sets the parallel test runners. DOTNET_INFO_WAIT_TIME (ms, default here 120000) is how
# long Stryker's project analysis (Buildalyzer) waits for `dotnet --info`: its own 10 s default fails with "Could not
# find build environment" on a loaded machine. Reports (HTML, JSON) go to TestResults/mutation/<target>/ (or
# /<STRYKER_RUN_NAME>/, so that a partial re-run keeps the full run's); the score is printed at the end and recorded in
# docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${1:-}"
case "$target" in
  evidence) tests=tests/Huren.Sdk.Tests; project=Huren.Sdk.csproj;  mutate=('**/Evidence/**/*.cs') ;;
  notes)   tests=tests/Huren.Sdk.Tests;  project=Huren.Sdk.csproj;  mutate=('**/Notes/**/*.cs') ;;
  merkle)  tests=tests/Huren.Sdk.Tests;  project=Huren.Sdk.csproj;  mutate=('**/Merkle/MerkleProofVerifier.cs') ;;
  witness) tests=tests/Huren.Node.Tests; project=Huren.Node.csproj; mutate=('**/Witness/**/*.cs') ;;
  *) echo "usage: $0 evidence|notes|merkle|witness [stryker options]" >&2; exit 2 ;;
esac
shift

export DOTNET_INFO_WAIT_TIME="${DOTNET_INFO_WAIT_TIME:-120000}"
dotnet tool restore >/dev/null
out="$PWD/TestResults/mutation/${STRYKER_RUN_NAME:-$target}"
rm -rf "$out"
args=()
# A --mutate given after the target replaces the target's own globs (Stryker adds them up otherwise).
if [[ " $* " != *" --mutate "* && " $* " != *" -m "* ]]; then
  for glob in "${mutate[@]}"; do args+=(--mutate "$glob"); done
fi
cd "$tests"
dotnet dotnet-stryker --project "$project" "${args[@]}" \
  --concurrency "${STRYKER_CONCURRENCY:-1}" \
  --reporter html --reporter json --reporter progress --reporter cleartext \
  --output "$out" "$@"
