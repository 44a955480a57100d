#!/usr/bin/env bash
# End-to-end tests: run build/kvmbus with the guest test kernel under real
# KVM and assert the guest's TAP results and kvmbus's exit status.
#
# Usage: tests/e2e/run.sh [BUILD_DIR]
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

# run NAME EXPECTED_STATUS ARGS... : runs kvmbus, keeps stdout+stderr in $out/NAME.log
run() {
	local name=$1 want=$2; shift 2
	"$kvmbus" "$@" >"$out/$name.log" 2>&1
	local got=$?
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

kvm_test() { # NAME FUNC
	if [ "$have_kvm" -eq 1 ]; then "$2" "$1"; else skip "$1"; fi
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

if [ "$have_kvm" -eq 0 ]; then
	echo "################################################################"
	echo "# SKIP: /dev/kvm is missing: $skipped end-to-end tests did NOT run"
	echo "################################################################"
fi
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
