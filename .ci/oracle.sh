#!/usr/bin/env bash
# Runs the kernel-oracle tests of kfuncs/oracle and prints one summary line,
# "kernel comparisons: N", summed from the tests' "kernel comparisons: N" logs.
#
# Exit status is go test's: non-zero when any test fails. On a machine where
# the oracle is unavailable (not Linux, no BTF, no CAP_BPF, ...) the tests
# skip, the script prints why, reports 0 comparisons and succeeds.
set -uo pipefail

cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

go test -count=1 -v ./kfuncs/oracle/... 2>&1 | tee "$log" | grep -E '^(--- FAIL|FAIL|ok|panic:)' 
status=${PIPESTATUS[0]}

if [ "$status" -ne 0 ]; then
	echo "oracle tests failed (go test exit $status); failing output:" >&2
	grep -E -B2 -A20 '^\s*--- FAIL' "$log" | head -200 >&2
fi

reason=$(grep -m1 -o 'kernel oracle unavailable: .*' "$log")
if [ -n "$reason" ]; then
	echo "oracle tests skipped: $reason"
fi

n=$(grep -oE 'kernel comparisons: [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
echo "kernel comparisons: $n"

# The verifier model against the live verifier: one agreement line.
vlog=$(mktemp)
go test -count=1 -v -run 'TestKernelAgreement' ./kfuncs/verifier/ >"$vlog" 2>&1
vstatus=$?
if [ "$vstatus" -ne 0 ]; then
	echo "verifier differential test failed (go test exit $vstatus):" >&2
	grep -E -A20 '^\s*--- FAIL' "$vlog" | head -200 >&2
	status=$vstatus
fi
grep -m1 -o 'differential test skipped: .*' "$vlog"
grep -m1 -oE 'verifier: kernel agreement [0-9]+/[0-9]+ programs \([0-9]+ generated\)' "$vlog"
rm -f "$vlog"
exit "$status"
