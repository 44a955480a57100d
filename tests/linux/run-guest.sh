#!/usr/bin/env bash
# Boot the minimal Linux once under kvmbus and keep everything it said.
# test-linux.sh runs this directly or inside the nested KVM; check-boot.sh
# reads what it leaves behind.
#
# Usage: run-guest.sh KVMBUS VMLINUX OUTDIR TIMEOUT CMDLINE [kvmbus args...]
#
# Writes into OUTDIR:
#   console.log  the guest's serial console, each line prefixed with the
#                wall time since kvmbus started ("12.345678 <line>")
#   trace.txt    kvmbus's --trace (text format)
#   kvmbus.log   kvmbus's own messages (its stderr)
#   status       kvmbus's exit status, and the wall time of the whole run
set -u
[ $# -ge 5 ] || { echo "usage: $0 KVMBUS VMLINUX OUTDIR TIMEOUT CMDLINE [args...]" >&2; exit 2; }
kvmbus=$1 vmlinux=$2 out=$3 limit=$4 cmdline=$5
shift 5
mkdir -p "$out"
rm -f "$out/console.log" "$out/trace.txt" "$out/kvmbus.log" "$out/status"

# Microseconds since the epoch, as an integer (bash has no floating point).
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# Prefix each console line with the seconds since t0 and drop the 8250
# console's carriage returns.
stamp_lines() {
	local t0=$1 line us t
	while IFS= read -r line || [ -n "$line" ]; do
		t=$EPOCHREALTIME
		us=$(( ${t/./} - t0 ))
		printf '%d.%06d %s\n' $((us / 1000000)) $((us % 1000000)) "${line//$'\r'/}"
	done
}

echo "run-guest: $kvmbus run --linux $vmlinux --timeout $limit $*"
echo "run-guest: guest command line: $cmdline"
t0=$(now_us)
"$kvmbus" run --linux "$vmlinux" --cmdline "$cmdline" \
	--trace="$out/trace.txt" --timeout "$limit" "$@" \
	2> "$out/kvmbus.log" | stamp_lines "$t0" > "$out/console.log"
status=${PIPESTATUS[0]}
us=$(( $(now_us) - t0 ))
printf 'exit=%d wall=%d.%06d\n' "$status" $((us / 1000000)) $((us % 1000000)) > "$out/status"
echo "run-guest: kvmbus exited with status $status after $((us / 1000000)) s"
exit 0
