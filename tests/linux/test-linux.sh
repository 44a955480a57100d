#!/usr/bin/env bash
# Boot the minimal Linux 6.1 under kvmbus and check that Linux's own
# hv_vmbus, pci-hyperv and hyperv_drm drivers negotiate with it.
#
# Usage: tests/linux/test-linux.sh [BUILD_DIR]          (make test-linux)
#
#   BUILD_DIR               where build/kvmbus is (default: build)
#   KVMBUS_LINUX_TIMEOUT    kvmbus --timeout for the guest, seconds
#                           (default 300; 900 under the nested KVM)
#   KVMBUS_LINUX_MEM        guest RAM (default 128M)
#   KVMBUS_LINUX_IMAGE      vmlinux (PVH entry, the default) or bzImage
#                           (64-bit boot protocol; decompresses itself)
#   KVMBUS_LINUX_OUT        where the logs go (default BUILD_DIR/tests/linux)
#   KVMBUS_LINUX_APPEND     extra kernel command-line arguments
#   KVMBUS_LINUX_ARGS       extra kvmbus arguments, split at spaces
#                           (test-linux-kdump.sh: "--boot kdump")
#   KVMBUS_LINUX_CHECK      the script that judges the run's directory
#                           (default: check-boot.sh)
#   NESTED=0                without /dev/kvm, SKIP instead of nesting
#
# Where /dev/kvm is missing it runs the boot inside a nested KVM under QEMU
# TCG (tests/nested/run.sh), as tests/e2e/nested.sh does.  It prints a loud
# SKIP (exit 0) when the guest cannot run at all: kvmbus has no --linux yet,
# or there is neither /dev/kvm nor a nested KVM.
# Exit status: 0 every milestone seen (or SKIP), 1 otherwise (check-boot.sh
# lists what was missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "test-linux: no build directory ${1:-build}" >&2; exit 1; }
# shellcheck source=paths.sh
. "$here/paths.sh"
kvmbus=$build/kvmbus
out=${KVMBUS_LINUX_OUT:-$build/tests/linux}
mem=${KVMBUS_LINUX_MEM:-128M}

skip() {
	echo "################################################################"
	echo "# SKIP test-linux: $*"
	echo "################################################################"
	exit 0
}

[ -x "$kvmbus" ] || { echo "test-linux: $kvmbus is missing (make)" >&2; exit 1; }
case ${KVMBUS_LINUX_IMAGE:-vmlinux} in
vmlinux) kernel=$linux_vmlinux ;;
bzImage) kernel=$linux_bzimage ;;
*) echo "test-linux: KVMBUS_LINUX_IMAGE must be vmlinux or bzImage" >&2; exit 1 ;;
esac
if [ ! -r "$kernel" ]; then
	"$here/build-kernel.sh" || exit 1
fi
help=$("$kvmbus" run --help 2>&1)
grep -q -- '--linux' <<< "$help" || skip "'kvmbus run' has no --linux option yet"

# The facts doc's command line: no XSAVE, and CPU features cleared whose
# instructions this machine's KVM cannot emulate in ring 0 (SMAP, POPCNT,
# RDRAND, RDSEED, INVPCID, FSGSBASE, CX16) or runs byte by byte (ERMS,
# FSRM).  With no initramfs (and no block layer) the boot ends in the "No
# working init found" panic, after the initcalls.  --stop-on ends the run
# there; without it, panic=-1 reboot=t reset the guest at once through a
# triple fault, which ends the run too.
cmdline="console=ttyS0 earlyprintk=serial noxsave mitigations=off"
cmdline+=" clearcpuid=308,151,158,306,298,288,141,297,580"
cmdline+=" tsc=reliable no_timer_check panic=-1 reboot=t"
# kvmbus has only COM1: do not probe for three more UARTs.
cmdline+=" 8250.nr_uarts=1"
cmdline+="${KVMBUS_LINUX_APPEND:+ $KVMBUS_LINUX_APPEND}"
args=(--mem "$mem")
# shellcheck disable=SC2206  # split on purpose
[ -n "${KVMBUS_LINUX_ARGS:-}" ] && args+=(${KVMBUS_LINUX_ARGS})
# A stop condition, where kvmbus has one: any panic, the expected one at
# the end of boot or not, ends the run (check-boot.sh tells them apart).
if grep -q -- '--stop-on' <<< "$help"; then
	args+=(--stop-on 'Kernel panic')
fi

start=$SECONDS
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	limit=${KVMBUS_LINUX_TIMEOUT:-300}
	echo "test-linux: booting $kernel under kvmbus (at most $limit s)"
	"$here/run-guest.sh" "$kvmbus" "$kernel" "$out" "$limit" "$cmdline" "${args[@]}"
elif [ "${NESTED:-1}" = 0 ]; then
	skip "/dev/kvm is missing here and NESTED=0"
else
	limit=${KVMBUS_LINUX_TIMEOUT:-900}
	echo "################################################################"
	echo "# /dev/kvm is missing here: booting Linux under kvmbus inside a"
	echo "# nested KVM under QEMU TCG (tests/nested/run.sh; slow)."
	echo "################################################################"
	mkdir -p "$out"
	# The guest sees the host's / read-only: share, writable, the build
	# and log directories that lie outside the repository (shared anyway).
	share=()
	case "$build/" in "$repo"/*) ;; *) share+=(--share "$build") ;; esac
	case "$out/" in "$repo"/*|"$build"/*) ;; *) share+=(--share "$out") ;; esac
	# The nested guest has its own empty /root (tests/nested/README.md),
	# where the kernel cache usually is: boot a copy in the log directory.
	image=$out/$(basename "$kernel")
	cp "$kernel" "$image"
	inner=$(printf '%q ' "$here/run-guest.sh" "$kvmbus" "$image" "$out" \
		"$limit" "$cmdline" "${args[@]}")
	"$repo/tests/nested/run.sh" --timeout $((limit + 180)) "${share[@]}" -- \
		"cd $(printf '%q' "$repo") && $inner"
	st=$?
	[ "$st" -eq 125 ] && skip "the nested KVM could not be started (tests/nested/run.sh status 125)"
	[ "$st" -eq 0 ] || echo "test-linux: tests/nested/run.sh exited with status $st"
fi
echo "test-linux: the run took $((SECONDS - start)) s wall in all"
echo
exec "${KVMBUS_LINUX_CHECK:-$here/check-boot.sh}" "$out"
