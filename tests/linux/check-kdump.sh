#!/usr/bin/env bash
# Judge a `kvmbus run --linux bzImage --boot kdump` run (run-guest.sh's
# OUTDIR): the first kernel took the EFI hand-off and came up, kvmbus
# rebooted into the crash kernel at --crash-on, the crash kernel took the
# Gen1 branch, its pci-hyperv put the config window on the VRAM the first
# kernel's hyperv_drm had claimed, and the host refused D0 entry.
#
# Usage: check-kdump.sh OUTDIR
# Exit status: 0 if every assertion holds, 1 if not (each one is listed).
set -u
out=${1:?usage: check-kdump.sh OUTDIR}
console=$out/console.log
trace=$out/trace.txt
klog=$out/kvmbus.log
touch "$console" "$trace" "$klog" 2>/dev/null

failed=()
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FAIL  %s\n' "$1"; failed+=("$1"); }
# check DESCRIPTION COMMAND...: one assertion, its first matching line shown.
check() {
	local what=$1 line
	shift
	if line=$("$@" 2>/dev/null | head -n 1) && [ -n "$line" ]; then
		ok "$what"
		printf '        %s\n' "${line:0:160}"
	else
		bad "$what"
	fi
}

# The console split into the two kernels at the second "Linux version".
boot2_at=$(grep -n 'Linux version 6\.1' "$console" | sed -n '2s/:.*//p')
first() { if [ -n "$boot2_at" ]; then head -n $((boot2_at - 1)) "$console"; else cat "$console"; fi; }
second() { [ -n "$boot2_at" ] && tail -n +"$boot2_at" "$console"; }

echo "check-kdump: $out"
status=$(cat "$out/status" 2>/dev/null)
if [[ $status == exit=3\ * ]]; then ok "kvmbus exit status 3 (MMIO conflict reproduced)"; else bad "kvmbus exit status 3 (got: ${status:-no status file})"; fi

echo "first kernel:"
check "EFI hand-off (efi: EFI v2.70 by kvmbus)" grep -F 'efi: EFI v2.70 by kvmbus' <(first)
check "hyperv_drm came up (the --crash-on line)" grep -F '[drm] Initialized hyperv_drm' <(first)
check "VRAM at the gap base (trace)" grep -E 'SYNTHVID_VRAM_LOCATION .*vram_gpa=0xc0000000' "$trace"
check "crash reboot (trace)" grep -F 'KDUMP_CRASH_REBOOT' "$trace"

echo "crash kernel:"
check "a second kernel started" second
check "nr_cpus=1 on its command line" grep -E 'Command line: .* nr_cpus=1' <(second)
if second | grep -qF 'efi: EFI'; then bad "no EFI (Gen1 branch)"; else ok "no EFI (Gen1 branch)"; fi
check "D0 entry with the config window at 0xc0000000 (trace)" \
	grep -E 'PCI_BUS_D0ENTRY .*mmio_base=0xc0000000' "$trace"
check "host refused it with 0xc0370048 (trace)" \
	grep -E 'for=PCI_BUS_D0ENTRY status=0xc0370048' "$trace"
check "Linux: PCI Pass-through VSP failed D0 Entry with status c0370048" \
	grep -F 'PCI Pass-through VSP failed D0 Entry with status c0370048' <(second)
check "kvmbus: the overlap, boot 2 against boot 1" \
	grep -E 'D0 entry refused: config window \[0xc0000000,.*synthvid VRAM .*claimed at boot 1' "$klog"
check "summary: MMIO conflict reproduced" grep -F 'MMIO conflict reproduced' "$console"

echo
if [ ${#failed[@]} -eq 0 ]; then
	echo "check-kdump: PASS"
	exit 0
fi
echo "check-kdump: FAIL (${#failed[@]} missing)"
echo "--- last console lines"; tail -n 15 "$console"
echo "--- last kvmbus lines"; tail -n 15 "$klog"
exit 1
