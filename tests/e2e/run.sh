#!/usr/bin/env bash
# End-to-end tests: run build/kvmbus with the guest test kernel under real
# KVM and assert the guest's TAP results and kvmbus's exit status.
#
# Usage: tests/e2e/run.sh [BUILD_DIR]
# Exit status: 0 all passed, 1 some failed, 75 stopped because the kernel
# under kvmbus is wedged (WEDGED-AT: names the test; see stop_if_wedged).
# Tests that need /dev/kvm print a loud SKIP line where it is missing;
# where it exists they all run.  Ends with "e2e: N passed, N failed".
set -u

build=${1:-build}
kvmbus=$build/kvmbus
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmbus-e2e.XXXXXX")
trap 'rm -rf "$out"' EXIT

passed=0; failed=0; skipped=0
have_kvm=0
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then have_kvm=1; fi

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    | /' "$2" | tail -n 40; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1 -- /dev/kvm is missing on this machine: THIS TEST DID NOT RUN"; }

# A kvmbus run takes seconds; its own --timeout (60 s) stops a hung guest.
# The watchdog is for kvmbus itself not ending (seen once, only under the
# nested KVM in QEMU TCG): the run is killed, reported loudly and retried
# once, so a hang is visible in the log and counted, never silent.
watchdog=${KVMBUS_E2E_WATCHDOG:-240}
hangs=0
run_watched() { # LOG ARGS...
	local log=$1; shift
	timeout -k 10 "$watchdog" "$kvmbus" "$@" >"$log" 2>&1
}

# A kvmbus that SIGKILL cannot end is stuck inside the kernel beneath it;
# under the nested KVM that kernel is then wedged and every later run would
# hang as well.  Stop at once with status 75 and name the test, so that
# tests/e2e/nested.sh can boot a fresh nested VM and resume from it.
kvmbus_exe=$(realpath "$kvmbus")
stop_if_wedged() { # NAME
	local p
	sleep 2
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$kvmbus_exe" ] || continue
		echo "WEDGED: $1: kvmbus (pid ${p#/proc/}) survived SIGKILL: the kernel under it is stuck;"
		echo "WEDGED: no later test could run here, stopping after $passed passed, $failed failed"
		echo "WEDGED-AT: ${current_test:-$1}"
		exit 75
	done
}

# run NAME EXPECTED_STATUS ARGS... : runs kvmbus, keeps stdout+stderr in $out/NAME.log
run() {
	local name=$1 want=$2; shift 2
	run_watched "$out/$name.log" "$@"
	local got=$?
	if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
		hangs=$((hangs + 1))
		echo "WATCHDOG: $name: kvmbus did not end within ${watchdog}s; killed, retrying once"
		stop_if_wedged "$name"
		run_watched "$out/$name.log" "$@"
		got=$?
	fi
	echo "$got" >"$out/$name.status"
	if [ "$got" -ne "$want" ]; then
		fail "$name: exit status $got, expected $want" "$out/$name.log"
		return 1
	fi
	return 0
}

# expect NAME FILE PATTERN... : every extended regex must match a line of FILE
expect() {
	local name=$1 file=$2; shift 2
	local p
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$file"; then
			fail "$name: no line matches /$p/" "$file"
			return 1
		fi
	done
	return 0
}

# refute NAME FILE PATTERN : no line may match
refute() {
	if grep -Eq -- "$3" "$2"; then fail "$1: unexpected line /$3/" "$2"; return 1; fi
	return 0
}

# KVMBUS_E2E_FROM=NAME resumes a stopped suite: the KVM tests before NAME
# are left out (they ran, and were reported, before the stop).
resume_from=${KVMBUS_E2E_FROM:-}
kvm_test() { # NAME FUNC
	if [ -n "$resume_from" ]; then
		[ "$1" = "$resume_from" ] || return 0
		resume_from=""
	fi
	current_test=$1   # what a resume starts from (one test may run kvmbus often)
	if [ "$have_kvm" -eq 1 ]; then "$2" "$1"; else skip "$1"; fi
	current_test=""
}

# ---- command line (no KVM needed) -----------------------------------------
t_help() {
	run "$1" 0 --help || return
	expect "$1" "$out/$1.log" '--kernel' '--mem' '--cpus' '--trace' '--trace-format' \
		'--timeout' '--low-mmio' '--high-mmio' '--cmdline' '[Ee]xit status' && pass "$1"
}
t_version() {
	run "$1" 0 --version || return
	expect "$1" "$out/$1.log" '[0-9]+\.[0-9]+' && pass "$1"
}
t_bad_options() {
	local args ok=1
	for args in "run --bogus" "run --cpus 0" "run --cpus x" "run --mem 12Q" \
		"run --trace-format xml" "run --low-mmio 0x1000" "frobnicate" ""; do
		# shellcheck disable=SC2086
		"$kvmbus" $args >"$out/$1.log" 2>&1
		local st=$?
		if [ "$st" -ne 1 ] || [ "$(grep -c . "$out/$1.log")" -lt 1 ]; then
			ok=0; fail "$1: 'kvmbus $args' exited $st, expected 1 with a message" "$out/$1.log"
		fi
	done
	[ "$ok" -eq 1 ] && pass "$1"
}
t_missing_kernel() {
	run "$1" 1 run --kernel "$out/does-not-exist.elf" || return
	expect "$1" "$out/$1.log" 'does-not-exist' && pass "$1"
}

# ---- under KVM --------------------------------------------------------------
tap_ok() { # NAME LOG : at least one "ok" line, no "not ok", a summary
	expect "$1" "$2" '^ok [0-9]+' '# kvmbus-guest: [0-9]+ checks, 0 failed' &&
		refute "$1" "$2" '^not ok'
}

t_default_1cpu() {
	run "$1" 0 run || return
	tap_ok "$1" "$out/$1.log" &&
		expect "$1" "$out/$1.log" 'ok [0-9]+ .*[Hh]yper-V' 'ok [0-9]+ .*1000' 'ok [0-9]+ .*wrap' \
			'ok [0-9]+ .*UNLOAD' && pass "$1"
}
t_two_cpus() {
	run "$1" 0 run --cpus 2 || return
	tap_ok "$1" "$out/$1.log" &&
		expect "$1" "$out/$1.log" 'ok [0-9]+ .*AP' && pass "$1"
}
t_guest_failure() {
	run "$1" 2 run --cmdline "test=fail" || return
	expect "$1" "$out/$1.log" '^not ok [0-9]+ .*deliberate' && pass "$1"
}
t_timeout() {
	run "$1" 4 run --cmdline "test=hang" --timeout 2 || return
	expect "$1" "$out/$1.log" 'timed out' && pass "$1"
}
t_trace_text() {
	run "$1" 0 run --trace="$out/$1.trace" || return
	local names="INITIATE_CONTACT VERSION_RESPONSE REQUESTOFFERS OFFERCHANNEL ALLOFFERS_DELIVERED
		GPADL_HEADER GPADL_BODY GPADL_CREATED OPENCHANNEL OPENCHANNEL_RESULT CLOSECHANNEL
		GPADL_TEARDOWN GPADL_TORNDOWN UNLOAD UNLOAD_RESPONSE"
	local n pats=()
	for n in $names; do pats+=("[[:space:]]$n([[:space:]]|$)"); done
	expect "$1" "$out/$1.trace" "${pats[@]}" 'g->h' 'h->g' && pass "$1"
}
t_trace_json() {
	run "$1" 0 run --trace="$out/$1.jsonl" --trace-format json || return
	if python3 - "$out/$1.jsonl" >"$out/$1.check" 2>&1 <<'EOF'
import json, sys
n = 0
names = set()
for line in open(sys.argv[1]):
    rec = json.loads(line)
    for k in ("t", "dir", "chan", "msg"):
        assert k in rec, f"line {n + 1} lacks {k}: {line}"
    names.add(rec["msg"])
    n += 1
for want in ("INITIATE_CONTACT", "VERSION_RESPONSE", "OFFERCHANNEL", "UNLOAD_RESPONSE"):
    assert want in names, f"no {want} record"
assert n > 20, f"only {n} records"
print(f"{n} JSON records parsed")
EOF
	then pass "$1"; else fail "$1: JSON Lines check" "$out/$1.check"; fi
}


# ---- PCI pass-through (issue: VPCI) -----------------------------------------
t_vpci_two_buses() {
	run "$1" 0 run --vpci 2 || return
	tap_ok "$1" "$out/$1.log" &&
		expect "$1" "$out/$1.log" 'ok [0-9]+ .*vpci0.*(vendor|ID)' 'ok [0-9]+ .*vpci1.*(vendor|ID)' \
			'ok [0-9]+ .*scratch' 'no two claims overlap' && pass "$1"
}
t_vpci_hot_remove() {
	run "$1" 0 run || return
	expect "$1" "$out/$1.log" 'ok [0-9]+ .*(hot-remove|eject)' && pass "$1"
}
t_cfgwin_over_vram() {
	run "$1" 0 run --cmdline "test=cfgwin-over-vram" || return
	expect "$1" "$out/$1.log" 'PCI Pass-through VSP failed D0 Entry with status c0370048' \
		'D0 entry refused.*0xc0370048' && pass "$1"
}
t_trace_vpci() {
	run "$1" 0 run --trace="$out/$1.trace" || return
	expect "$1" "$out/$1.trace" 'PCI_QUERY_PROTOCOL_VERSION' 'PCI_BUS_D0ENTRY.*mmio_base' \
		'PCI_BUS_RELATIONS' 'PCI_RESOURCES_ASSIGNED' 'SYNTHVID_VRAM_LOCATION' && pass "$1"
}

# ---- the kdump scenarios (issue: synthvid + scenarios) ---------------------
t_scenarios_list() {
	run "$1" 0 scenarios || return
	expect "$1" "$out/$1.log" '^normal ' '^kdump ' '^kdump-fb-fallback ' '^kdump-fb-fallback-miss ' \
		'^kdump-config-high ' '^kdump-video-first ' && pass "$1"
}
scenario() { # NAME SCENARIO STATUS
	local name=$1 sc=$2 want=$3
	run "$name" "$want" run --scenario "$sc" || return
	if [ "$want" -eq 3 ]; then
		expect "$name" "$out/$name.log" 'PCI Pass-through VSP failed D0 Entry with status c0370048' \
			"kvmbus: (scenario )?$sc.*MMIO conflict reproduced.*config window.*overlaps.*VRAM" &&
			pass "$name"
	else
		expect "$name" "$out/$name.log" "kvmbus: (scenario )?$sc.*every device came up" && pass "$name"
	fi
}
t_sc_normal() { scenario "$1" normal 0; }
t_sc_kdump() { scenario "$1" kdump 3; }
t_sc_fallback() { scenario "$1" kdump-fb-fallback 0; }
t_sc_fallback_miss() { scenario "$1" kdump-fb-fallback-miss 3; }
t_sc_config_high() { scenario "$1" kdump-config-high 0; }
t_sc_video_first() { scenario "$1" kdump-video-first 0; }

t_screenshot_and_svg() {
	run "$1" 3 run --scenario kdump --screenshot "$out/$1.png" --mmio-map="$out/$1.svg" || return
	if python3 "$(dirname "$0")/check_png_svg.py" "$out/$1.png" "$out/$1.svg" "$out/$1.log" \
		>"$out/$1.check" 2>&1; then
		expect "$1" "$out/$1.log" 'low +MMIO gap' '!' && pass "$1"
	else
		fail "$1: screenshot/SVG check" "$out/$1.check"
	fi
}

# ---- the seccomp sandbox ----------------------------------------------------
t_sandbox_on() {   # the filter is in place while the guest runs
	"$kvmbus" run --cmdline test=hang --timeout 5 >"$out/$1.log" 2>&1 &
	local pid=$! mode=
	while kill -0 "$pid" 2>/dev/null; do
		mode=$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		[ "$mode" = 2 ] && break
		sleep 0.1
	done
	wait "$pid"; local st=$?
	if [ "$mode" = 2 ] && [ "$st" -eq 4 ]; then pass "$1"
	else fail "$1: Seccomp mode '$mode', exit $st (want 2, 4)" "$out/$1.log"; fi
}
t_sandbox_off() { run "$1" 0 run --no-seccomp || return; tap_ok "$1" "$out/$1.log" && pass "$1"; }

# ---- leaks: sanitized builds only ------------------------------------------
# LeakSanitizer's exit-time scan needs system calls the seccomp sandbox
# refuses (tests/e2e/san_options.c turns it off), so these runs drop the
# sandbox and turn it back on: a whole VM's life, with every service, the
# kdump reboot and the hostile guest's refusals, must free what it took.
sanitized=0
grep -q __asan_init "$kvmbus" 2>/dev/null && sanitized=1
leak_run() { # NAME EXPECTED_STATUS ARGS...
	local name=$1 want=$2; shift 2
	ASAN_OPTIONS=detect_leaks=1 run "$name" "$want" run --no-seccomp "$@" || return
	refute "$name" "$out/$name.log" 'LeakSanitizer'
}
t_no_leaks() {
	leak_run "$1-default" 0 --cpus 2 --vpci 2 &&
	leak_run "$1-kdump" 3 --scenario kdump &&
	leak_run "$1-hostile" 0 --scenario hostile &&
	pass "$1"
}

# ---- the hostile guest: 60+ malformed inputs, each refused by its rule ------
t_hostile() {
	if "$(dirname "$0")/../hostile/check.sh" "$build" >"$out/$1.log" 2>&1; then pass "$1"
	else fail "$1" "$out/$1.log"; fi
}

# ---- --offer-order: the host's offer order on the wire --------------------
t_offer_order() {
	run "$1" 0 run --offer-order pci-first --trace="$out/$1.trace" || return
	local order
	order=$(grep -oE 'OFFERCHANNEL relid=[0-9]+ class=(44c4f61d|da0a7802)' "$out/$1.trace" |
		sed -E 's/.*class=//' | tr '\n' ' ')
	if [ "$order" = "44c4f61d da0a7802 " ]; then
		tap_ok "$1" "$out/$1.log" && pass "$1"
	else
		fail "$1: offer order '$order', expected PCI (44c4f61d) before video (da0a7802)" "$out/$1.trace"
	fi
}

t_help help
t_version version
t_bad_options bad-options
t_missing_kernel missing-kernel
kvm_test default-1cpu t_default_1cpu
kvm_test two-cpus t_two_cpus
kvm_test guest-failure-exit-2 t_guest_failure
kvm_test timeout-exit-4 t_timeout
kvm_test trace-text t_trace_text
kvm_test trace-json t_trace_json
kvm_test vpci-two-buses t_vpci_two_buses
kvm_test vpci-hot-remove t_vpci_hot_remove
kvm_test cfgwin-over-vram-refused t_cfgwin_over_vram
kvm_test trace-vpci-synthvid t_trace_vpci
t_scenarios_list scenarios-list
kvm_test scenario-normal t_sc_normal
kvm_test scenario-kdump-exit-3 t_sc_kdump
kvm_test scenario-kdump-fb-fallback t_sc_fallback
kvm_test scenario-kdump-fb-fallback-miss-exit-3 t_sc_fallback_miss
kvm_test scenario-kdump-config-high t_sc_config_high
kvm_test scenario-kdump-video-first t_sc_video_first
kvm_test screenshot-png-and-svg t_screenshot_and_svg
kvm_test sandbox-on t_sandbox_on
kvm_test sandbox-off t_sandbox_off
kvm_test hostile-guest-refused t_hostile
kvm_test offer-order-pci-first t_offer_order
[ "$sanitized" -eq 1 ] && kvm_test no-leaks t_no_leaks

if [ -n "$resume_from" ]; then
	fail "KVMBUS_E2E_FROM=$resume_from names no end-to-end test"
fi
if [ "$have_kvm" -eq 0 ]; then
	echo "################################################################"
	echo "# SKIP: /dev/kvm is missing: $skipped end-to-end tests did NOT run"
	echo "################################################################"
fi
[ "$hangs" -gt 0 ] && echo "WATCHDOG: $hangs kvmbus run(s) hung and were retried (see above)"
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
