#!/usr/bin/env bash
# Read what one Linux boot under kvmbus left behind (run-guest.sh's OUTDIR)
# and decide whether Linux's own drivers negotiated with kvmbus.
#
# Usage: check-boot.sh OUTDIR
#
# Evidence comes from two sides: the guest's console (console.log, printk
# lines with the kernel's timestamps, prefixed by the wall time) and
# kvmbus's trace (trace.txt).  The trace says what kvmbus offered; the
# console says what Linux made of it.  6.1 logs no line per offer, but it
# names each VMBus device after the offer's instance GUID, and a driver's
# messages carry that name — so "driver X printed for instance I" proves the
# offer with class C (X's class) and instance I reached the driver.
#
# Prints one line per milestone with its wall time (seconds since kvmbus
# started) and its guest time (printk), then a verdict.
# Exit status: 0 if every milestone was seen and nothing went wrong, 1 if not.
set -u
out=${1:?usage: check-boot.sh OUTDIR}
console=$out/console.log
trace=$out/trace.txt
klog=$out/kvmbus.log

# kvmbus's default VMBus MMIO gaps (`kvmbus run --help`); test-linux.sh
# passes no --low-mmio/--high-mmio.
low_base=$((0xC0000000)) low_size=$((0x3EC00000))
high_base=$((0x1000000000)) high_size=$((0x20000000))

# Class GUIDs as Linux prints them (%pUl) and kvmbus traces them.
class_synthvid=da0a7802-e377-4aac-8e77-0558eb1073f8
class_pci=44c4f61d-4444-4400-9d52-802e27ede19f
# kvmbus's test functions on a VPCI bus: vendor 0x6b76 ("kv").
pci_ids=(6b76:0001 6b76:0002)

nr_pass=0
failed=()
touch "$console" "$trace" "$klog" 2>/dev/null

# ---- helpers ---------------------------------------------------------------
# The first console line matching an extended regex (wall time included).
first() { grep -m 1 -E -- "$1" "$console"; }
# The first trace line matching an extended regex.
first_trace() { grep -m 1 -E -- "$1" "$trace"; }
# Fields of a console line: its wall time, and its printk time.
wall_of() { echo "${1%% *}"; }
guest_of() {
	if [[ $1 =~ \[\ *([0-9]+\.[0-9]+)\] ]]; then echo "${BASH_REMATCH[1]}"; else echo "-"; fi
}
# The time of a trace line "[  1.234567] ...".
trace_time() {
	if [[ $1 =~ ^\[\ *([0-9]+\.[0-9]+)\] ]]; then echo "${BASH_REMATCH[1]}"; else echo "-"; fi
}
# What a console line says, without its times, cut to a table's width.
evidence() {
	local s=${1#* }
	[[ $s =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*) ]] && s=${BASH_REMATCH[1]}
	echo "${s:0:110}"
}
# key=value out of a trace line.
field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<< "$2"; }

report() { # STATUS NAME WALL GUEST DETAIL
	printf '%-4s %-50s %9s %9s  %s\n' "$1" "$2" "$3" "$4" "$5"
	if [ "$1" = ok ]; then nr_pass=$((nr_pass + 1)); else failed+=("$2${5:+: $5}"); fi
}
# A milestone proved by one console line.
console_milestone() { # NAME REGEX [DETAIL-IF-MISSING]
	local line
	if line=$(first "$2"); then
		report ok "$1" "$(wall_of "$line")" "$(guest_of "$line")" "$(evidence "$line")"
	else
		report FAIL "$1" - - "${3:-no console line matches /$2/}"
	fi
}
# Is [base, base+size) inside a gap?  Prints "low" or "high", or fails.
gap_of() { # BASE SIZE
	local b=$(($1)) s=$(($2))
	if [ "$b" -ge "$low_base" ] && [ $((b + s)) -le $((low_base + low_size)) ]; then
		echo low
	elif [ "$b" -ge "$high_base" ] && [ $((b + s)) -le $((high_base + high_size)) ]; then
		echo high
	else
		return 1
	fi
}

# The trace's PCI_BAR_CLAIMED line for a BAR at BASE of SIZE bytes.
bar_claim() { # BASE SIZE
	local l
	while IFS= read -r l; do
		if [ $(($(field base "$l"))) -eq $(($1)) ] && [ $(($(field size "$l"))) -eq $(($2)) ]; then
			echo "$l"
			return 0
		fi
	done < <(grep -E ' PCI_BAR_CLAIMED .*base=0x[0-9a-f]+ size=0x[0-9a-f]+' "$trace")
	return 1
}

printf '%-4s %-50s %9s %9s  %s\n' "" "milestone" "wall s" "guest s" "evidence"

# ---- 1. the kernel runs and sees Hyper-V ----------------------------------
console_milestone "kernel started" 'Linux version 6\.1'
console_milestone "Hyper-V detected from kvmbus's CPUID" 'Hypervisor detected: Microsoft Hyper-V'

# ---- 2. hv_vmbus connected: its version agrees with the trace's ---------
if line=$(first 'hv_vmbus: Vmbus version:[0-9]+\.[0-9]+'); then
	kver=$(sed -nE 's/.*Vmbus version:([0-9]+\.[0-9]+).*/\1/p' <<< "$line")
	# The INITIATE_CONTACT that the first positive VERSION_RESPONSE answered.
	hver=$(awk '/ INITIATE_CONTACT / { for (i = 1; i <= NF; i++) if ($i ~ /^version=/) v = substr($i, 9) }
		    / VERSION_RESPONSE / && / supported=1/ { print v; exit }' "$trace")
	if [ "$kver" = "$hver" ]; then
		report ok "hv_vmbus negotiated VMBus $kver" "$(wall_of "$line")" "$(guest_of "$line")" "$(evidence "$line")"
	else
		report FAIL "hv_vmbus negotiated VMBus $kver" "$(wall_of "$line")" "$(guest_of "$line")" \
			"the trace's accepted version is '${hver:-none}'"
	fi
else
	report FAIL "hv_vmbus negotiated a VMBus version" - - "no 'hv_vmbus: Vmbus version:' line"
fi

# ---- 3. every offer reached Linux under its class and instance ----------
mapfile -t offers < <(grep -E ' h->g .*OFFERCHANNEL ' "$trace")
if [ ${#offers[@]} -eq 0 ]; then
	report FAIL "kvmbus offered channels" - - "no OFFERCHANNEL in $trace"
fi
pci_instances=() video_instance="" video_mb=""
for offer in "${offers[@]}"; do
	relid=$(field relid "$offer") class=$(field class "$offer") inst=$(field instance "$offer")
	case $class in
	"$class_synthvid")
		video_instance=$inst video_mb=$(field mmio_megabytes "$offer")
		console_milestone "offer $relid (synthvid $inst) -> hyperv_drm" "^[^ ]+ \[ *[0-9.]+\] hyperv_drm $inst: "
		;;
	"$class_pci")
		pci_instances+=("$inst")
		console_milestone "offer $relid (PCI $inst) -> hv_pci" "^[^ ]+ \[ *[0-9.]+\] hv_pci $inst: "
		;;
	*)	# No 6.1 driver knows this class: hv_vmbus names the class.
		console_milestone "offer $relid (class $class) seen, no driver" "hv_vmbus: Unknown GUID: $class"
		;;
	esac
done

# ---- 4. pci-hyperv brought up each bus and placed the BARs --------------
[ ${#offers[@]} -gt 0 ] && [ ${#pci_instances[@]} -eq 0 ] &&
	report FAIL "kvmbus offered a PCI bus" - - "no offer of class $class_pci in the trace"
for inst in "${pci_instances[@]}"; do
	console_milestone "hv_pci $inst: protocol version agreed" "hv_pci $inst: PCI VMBus probing: Using version 0x[0-9a-f]+"
	if ! line=$(first "hv_pci $inst: PCI host bridge to bus [0-9a-f]{4}:[0-9a-f]{2}"); then
		report FAIL "hv_pci $inst: host bridge" - - "no 'PCI host bridge to bus' line"
		continue
	fi
	bus=$(sed -nE 's/.*PCI host bridge to bus ([0-9a-f]{4}:[0-9a-f]{2}).*/\1/p' <<< "$line")
	report ok "PCI host bridge to bus $bus" "$(wall_of "$line")" "$(guest_of "$line")" "$(evidence "$line")"
	for id in "${pci_ids[@]}"; do
		if ! line=$(first "\] pci $bus:[0-9a-f]{2}\.[0-7]: \[$id\] type"); then
			report FAIL "function [$id] on $bus" - - "no 'pci $bus:..: [$id]' line"
			continue
		fi
		bdf=$(sed -nE 's/.*\] pci ([0-9a-f:.]+): \[.*/\1/p' <<< "$line")
		report ok "function [$id] at $bdf" "$(wall_of "$line")" "$(guest_of "$line")" "$(evidence "$line")"
		# "BAR 0 [mem A-B 64bit pref]: assigned" (6.1.192), or the older
		# "BAR 0: assigned [mem A-B 64bit pref]".
		mapfile -t bars < <(grep -E "\] pci $bdf: BAR [0-5]( \[mem [^]]*\]: assigned|: assigned \[mem )" "$console")
		[ ${#bars[@]} -gt 0 ] || report FAIL "$bdf BARs assigned" - - "no 'BAR n ... assigned' line for $bdf"
		for bl in "${bars[@]}"; do
			n=$(sed -nE 's/.*: BAR ([0-5]).*/\1/p' <<< "$bl")
			range=$(sed -nE 's/.*\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)([^]]*)\].*/\1 \2 \3/p' <<< "$bl")
			read -r a b flags <<< "$range"
			gap=$(gap_of "$a" $((b - a + 1))) || gap=none
			want="low or high"
			case $flags in *64bit*) want=high ;; esac
			if [ "$gap" != none ] && { [ "$want" != high ] || [ "$gap" = high ]; }; then
				report ok "$bdf BAR $n in the $gap MMIO gap" "$(wall_of "$bl")" "$(guest_of "$bl")" "$(evidence "$bl")"
			else
				report FAIL "$bdf BAR $n in the $want MMIO gap" "$(wall_of "$bl")" "$(guest_of "$bl")" \
					"[mem $a-$b$flags] is in gap: $gap"
			fi
			# The host saw the same placement: kvmbus traces each BAR it
			# maps as PCI_BAR_CLAIMED base=... size=....
			if claim=$(bar_claim "$a" $((b - a + 1))); then
				report ok "$bdf BAR $n claimed by kvmbus (trace)" "$(trace_time "$claim")" - \
					"$(field owner "$claim") base=$(field base "$claim") size=$(field size "$claim")"
			else
				report FAIL "$bdf BAR $n claimed by kvmbus (trace)" - - \
					"no PCI_BAR_CLAIMED with base $a and size $((b - a + 1))"
			fi
		done
	done
done

# ---- 5. hyperv_drm: synthvid protocol, VRAM, DRM device -----------------
if [ -z "$video_instance" ]; then
	[ ${#offers[@]} -gt 0 ] && report FAIL "kvmbus offered synthvid" - - "no offer of class $class_synthvid in the trace"
else
	console_milestone "hyperv_drm: synthvid version agreed" "hyperv_drm $video_instance: \[drm\] Synthvid Version major [0-9]+, minor [0-9]+"
	if line=$(first_trace ' g->h .*SYNTHVID_VRAM_LOCATION .*vram_gpa='); then
		gpa=$(field vram_gpa "$line")
		size=$(( ${video_mb:-0} * 1024 * 1024 ))
		[ "$size" -gt 0 ] || size=1
		if gap=$(gap_of "$gpa" "$size"); then
			report ok "VRAM_LOCATION in the $gap MMIO gap (trace)" "$(trace_time "$line")" - "vram_gpa=$gpa, ${video_mb:-?} MiB"
		else
			report FAIL "VRAM_LOCATION inside an MMIO gap (trace)" "$(trace_time "$line")" - \
				"vram_gpa=$gpa (${video_mb:-?} MiB) is outside both gaps"
		fi
		if line=$(first_trace ' h->g .*SYNTHVID_VRAM_LOCATION_ACK'); then
			report ok "VRAM_LOCATION acknowledged (trace)" "$(trace_time "$line")" - "$(field user_ctx "$line")"
		else
			report FAIL "VRAM_LOCATION acknowledged (trace)" - - "no SYNTHVID_VRAM_LOCATION_ACK"
		fi
	else
		report FAIL "VRAM_LOCATION in an MMIO gap (trace)" - - "no g->h SYNTHVID_VRAM_LOCATION in $trace"
	fi
	console_milestone "hyperv_drm bound: DRM device registered" \
		"\[drm\] Initialized hyperv_drm [0-9.]+ [0-9]+ for $video_instance on minor [0-9]+"
fi

# ---- 6. the kernel got through all its initcalls ------------------------
end_re='Run /[a-z/]*init as init process|Unable to mount root fs|No working init found'
console_milestone "end of boot (initcalls done, init looked for)" "$end_re"

# ---- 7. nothing went wrong on the way -----------------------------------
# A panic is expected only as the end of a boot without a root file
# system; what it prints after (its own call trace) is no complaint.
expected_panic='Kernel panic - not syncing: (VFS: Unable to mount root fs|No working init found)'
mapfile -t bad < <(awk -v stop="$expected_panic" '$0 ~ stop { exit } { print }' "$console" |
	grep -E 'Oops|BUG:|WARNING:|general protection|Call Trace|Kernel panic|(hv_vmbus|hv_pci|hyperv_drm)[^:]*:.*([Ff]ail|[Uu]nable|[Ee]rror|[Tt]ime ?out|timed out)')
if [ ${#bad[@]} -eq 0 ]; then
	report ok "no oops, warning or driver error on the console" - - ""
else
	report FAIL "no oops, warning or driver error on the console" - - "${#bad[@]} line(s), first: ${bad[0]#* }"
fi
mapfile -t refused < <(grep -E 'guest refused \[' "$klog")
if [ ${#refused[@]} -eq 0 ]; then
	report ok "kvmbus refused no guest message" - - ""
else
	report FAIL "kvmbus refused no guest message" - - "${#refused[@]} refusal(s), first: ${refused[0]}"
fi

# ---- verdict -----------------------------------------------------------------
echo
echo "kvmbus run: $(cat "$out/status" 2>/dev/null || echo 'no status recorded'); logs in $out"
if [ ${#failed[@]} -eq 0 ]; then
	echo "test-linux: PASS: all $nr_pass milestones seen"
	exit 0
fi
echo "test-linux: FAIL: ${#failed[@]} milestone(s) missing or wrong ($nr_pass passed):"
for f in "${failed[@]}"; do echo "  - $f"; done
echo "--- last console lines ($console) ---"
tail -n 15 "$console" | sed 's/^/  /'
echo "--- last kvmbus lines ($klog) ---"
tail -n 10 "$klog" | sed 's/^/  /'
exit 1
