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
case "$build/" in "$repo"/*) ;; *) share=(--share "$build") ;; esac
# 4 GiB: a sanitized kvmbus (ASan shadow and quarantine) beside 256 MiB of
# guest RAM, run after run, must never squeeze the nested VM's memory.
"$repo/tests/nested/run.sh" --timeout "${KVMBUS_NESTED_TIMEOUT:-1800}" \
	--mem "${KVMBUS_NESTED_MEM:-4G}" "${share[@]}" -- \
	"cd '$repo' && tests/e2e/run.sh '$build'"
st=$?
if [ "$st" -eq 125 ]; then
	echo "nested KVM could not be started (status 125): falling back to the plain run"
	exec "$repo/tests/e2e/run.sh" "$build"
fi
exit "$st"
