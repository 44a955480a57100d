#!/usr/bin/env bash
# Run CMocka suites; print each suite's own summary and a closing total.
# Usage: tests/run-unit.sh LABEL BIN...
set -u
label=$1; shift
failed=0; passed=0
for t in "$@"; do
	echo "== $label: $(basename "$t")"
	if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! $label: $(basename "$t") FAILED"; fi
done
echo "unit ($label): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
