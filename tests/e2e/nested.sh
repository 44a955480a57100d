#!/usr/bin/env bash
# Run the end-to-end suite where this machine has no /dev/kvm: inside a
# nested KVM under QEMU's software emulator (tests/nested/run.sh).  If the
# nested VM cannot be started at all, fall back to tests/e2e/run.sh, which
# prints a loud SKIP for every test that needs KVM.
#
# Usage: tests/e2e/nested.sh BUILD_DIR
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

echo "################################################################"
echo "# /dev/kvm is missing here: running the end-to-end tests inside a"
echo "# nested KVM under QEMU TCG (tests/nested/run.sh)."
echo "################################################################"
share=()
case "$build/" in "$repo/"*) ;; *) share=(--share "$build") ;; esac
log=$(mktemp "${TMPDIR:-/tmp}/kvmbus-e2e-nested.XXXXXX")
trap 'rm -f "$log"' EXIT

# A nested VM whose kernel wedges (status 75 from run.sh, see its
# stop_if_wedged) is replaced by a fresh one that resumes at the test that
# hung, at most twice; the failures of every part count.
from=""
earlier_failures=0
for attempt in 1 2 3; do
	# 4 GiB: a sanitized kvmbus (ASan shadow and quarantine) beside 256 MiB
	# of guest RAM, run after run, must never squeeze the nested VM's memory.
	"$repo/tests/nested/run.sh" --timeout "${KVMBUS_NESTED_TIMEOUT:-1800}" \
		--mem "${KVMBUS_NESTED_MEM:-4G}" "${share[@]}" --env "KVMBUS_E2E_FROM=$from" -- \
		"cd '$repo' && tests/e2e/run.sh '$build'" | tee "$log"
	st=${PIPESTATUS[0]}
	[ "$st" -eq 75 ] || break
	from=$(sed -n 's/^WEDGED-AT: //p' "$log" | tail -n 1)
	echo "################################################################"
	echo "# the nested VM's kernel wedged under '$from' (attempt $attempt of 3)"
	[ "$attempt" -lt 3 ] || { echo "# giving up"; exit 75; }
	echo "# booting a fresh nested VM to resume from that test"
	echo "################################################################"
	earlier_failures=$((earlier_failures + $(grep -c '^FAIL: ' "$log")))
done
if [ "$st" -eq 125 ]; then
	echo "nested KVM could not be started (status 125): falling back to the plain run"
	exec "$repo/tests/e2e/run.sh" "$build"
fi
if [ "$st" -eq 0 ] && [ "$earlier_failures" -gt 0 ]; then
	echo "e2e: $earlier_failures failure(s) before the nested VM was restarted (see above)"
	st=1
fi
exit "$st"
