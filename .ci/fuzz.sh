#!/usr/bin/env bash
# Fuzz smoke: every fuzz target in the module has a checked-in seed corpus
# (testdata/fuzz/FuzzXxx) and runs for a few seconds at the default
# settings, making progress (at least MIN_EXECS executions) and finding
# nothing. Targets are found by name, so a new one is covered without an
# edit here.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
MIN_EXECS=${MIN_EXECS:-100}
status=0
while read -r file name; do
	dir=$(dirname "$file")
	if [ -z "$(ls -A "$dir/testdata/fuzz/$name" 2>/dev/null)" ]; then
		echo "fuzz: $dir: $name has no seed corpus in $dir/testdata/fuzz/$name"
		status=1
		continue
	fi
	out=$(go test "./$dir" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" 2>&1) || {
		echo "$out"
		echo "fuzz: $dir: $name failed"
		status=1
		continue
	}
	execs=$(echo "$out" | sed -n 's/.*execs: \([0-9]*\).*/\1/p' | tail -1)
	echo "fuzz: $dir $name: ${execs:-0} execs in $FUZZTIME"
	if [ "${execs:-0}" -lt "$MIN_EXECS" ]; then
		echo "fuzz: $dir: $name made no progress (fewer than $MIN_EXECS execs)"
		status=1
	fi
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||; s|:func | |')
exit $status
