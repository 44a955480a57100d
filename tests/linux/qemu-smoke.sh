#!/usr/bin/env bash
# Validate the kernel from build-kernel.sh without kvmbus: boot it under
# QEMU's software emulator (TCG) through its PVH entry and check that it gets
# through every initcall to the end of boot.
#
# Usage: tests/linux/qemu-smoke.sh [vmlinux]        (make linux-qemu)
#
# QEMU offers no VMBus, so the Hyper-V drivers find no bus and stay quiet:
# this only proves the configuration boots (console, ACPI, PCI, initcalls),
# so that a failure under kvmbus is kvmbus's, not the kernel's.
# The machine is "pc", not "microvm": under TCG the kernel finds no
# reference (HPET or PM timer) on microvm to calibrate the TSC against and
# hangs after "tsc: Marking TSC unstable".
# With no initramfs (and no block layer) the boot ends in the kernel's
# "No working init found" panic; panic=-1 reboot=t with -no-reboot then
# stops QEMU.
# Exit status 0 if the end of boot was reached, 1 if not.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=paths.sh
. "$here/paths.sh"
kernel=${1:-$linux_vmlinux}
limit=${KVMBUS_QEMU_TIMEOUT:-120}
[ -r "$kernel" ] || { echo "qemu-smoke: no kernel at $kernel (make linux-kernel)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "qemu-smoke: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2; exit 1; }

log=$(mktemp /tmp/kvmbus-linux-qemu.XXXXXX)
trap 'rm -f "$log"' EXIT
cmdline="console=ttyS0 earlyprintk=serial panic=-1 reboot=t"
echo "qemu-smoke: booting $kernel under QEMU TCG (pc), at most $limit s"
start=$EPOCHREALTIME
timeout "$limit" qemu-system-x86_64 -M pc -accel tcg -cpu max \
	-m 128 -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
	-serial stdio -kernel "$kernel" -append "$cmdline" > "$log" 2>&1
status=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

# The end of boot: init was started, or none was found to start.
end_re='Run /[a-z/]*init as init process|Unable to mount root fs|No working init found'
if grep -aqE "$end_re" "$log"; then
	line=$(grep -aE "$end_re" "$log" | head -n 1 | tr -d '\r')
	echo "qemu-smoke: PASS in $elapsed s wall: $line"
	grep -aE 'Linux version|PCI Root Bridge|hv_vmbus|Hyper-V|Kernel panic' "$log" | tr -d '\r' | sed 's/^/  /'
	exit 0
fi
echo "qemu-smoke: FAIL: the kernel did not reach the end of boot (QEMU status $status, $elapsed s); last lines:" >&2
tail -n 25 "$log" | tr -d '\r' | sed 's/^/  /' >&2
exit 1
