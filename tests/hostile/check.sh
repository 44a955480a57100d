#!/usr/bin/env bash
# tests/hostile/check.sh -- run the hostile guest against kvmbus and check
# that kvmbus refused every malformed input by the rule it should, survived,
# and still served a clean exchange afterwards.
#
# Usage: tests/hostile/check.sh [BUILD_DIR]     (default: build)
#   Runs BUILD_DIR/kvmbus with the hostile guest kernel: `run --scenario
#   hostile` if kvmbus lists that scenario, else `run --kernel
#   BUILD_DIR/kvmbus-hostile.elf`.  Needs a usable /dev/kvm (see
#   tests/nested/ where it is missing).  KVMBUS_HOSTILE_LOG=FILE keeps the
#   combined log; KVMBUS_HOSTILE_ARGS adds kvmbus options (e.g.
#   "--no-seccomp" for a sanitizer build, whose leak check at exit needs
#   a system call the sandbox does not allow).
#   --replay LOG checks an existing log instead of running kvmbus (exit
#   status 0 if the log says "guest reported PASS"): for working on this
#   script without KVM.
#
# Assertions, each reported on its own line:
#   1. kvmbus exits 0 (the guest reported PASS);
#   2. every rule in tests/hostile/expected.txt appears in a
#      "kvmbus: guest refused [rule]" line (missing ones are listed);
#   3. kvmbus refused at least MIN_REFUSALS inputs ("kvmbus: N guest
#      inputs refused"), and the guest ran at least MIN_CASES cases;
#   4. the guest's case table matches expected.txt, case by case;
#   5. each case's refusal happened while that case ran (between its
#      "# hostile case" marker and the next marker), a "-" case drew no
#      refusal, and no refusal happened outside a case;
#   6. no TAP check failed, and the clean exchange after the attacks
#      ("clean: 100 packets echoed byte-exact") passed.
# Exit 0 if all hold, 1 otherwise.
set -u

MIN_REFUSALS=60
MIN_CASES=60

replay=
if [ "${1:-}" = "--replay" ]; then replay=${2:?--replay needs a log file}; shift 2; fi
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
expected="$here/expected.txt"
kvmbus="$build/kvmbus"
elf="$build/kvmbus-hostile.elf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmbus-hostile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=${KVMBUS_HOSTILE_LOG:-$tmp/kvmbus.log}

failures=0
ok() { echo "hostile: ok: $*"; }
bad() { echo "hostile: FAIL: $*"; failures=$((failures + 1)); }

if [ -n "$replay" ]; then
	cp "$replay" "$log"
	status=2
	grep -q '^kvmbus: guest reported PASS' "$log" && status=0
	echo "hostile: replaying $replay: exit status taken as $status"
else
	[ -x "$kvmbus" ] || { echo "hostile: $kvmbus not found (make hostile)"; exit 1; }
	if "$kvmbus" scenarios 2>/dev/null | grep -q '^hostile[[:space:]]'; then
		args=(run --scenario hostile)
	else
		[ -r "$elf" ] || { echo "hostile: $elf not found (make hostile)"; exit 1; }
		args=(run --kernel "$elf")
	fi
	# shellcheck disable=SC2206
	args+=(--timeout 600 ${KVMBUS_HOSTILE_ARGS:-})
	# One file for both streams: kvmbus writes the guest console (stdout)
	# and its refusals (stderr) from the vCPU thread, one flushed line at
	# a time, so the lines keep the order they happened in.
	"$kvmbus" "${args[@]}" >"$log" 2>&1
	status=$?
	echo "hostile: kvmbus ${args[*]}: exit status $status"
fi

# ---- 1. exit status ---------------------------------------------------------
if [ "$status" -eq 0 ]; then ok "kvmbus exited 0"; else
	bad "kvmbus exited $status (expected 0)"; tail -n 30 "$log" | sed 's/^/    | /'; fi

# ---- 2. every expected rule was logged ----------------------------------------
sed -n 's/.*kvmbus: guest refused \[\([^]]*\)\].*/\1/p' "$log" | sort -u >"$tmp/seen"
grep -v '^[[:space:]]*\(#\|$\)' "$expected" >"$tmp/want"
awk '$1 != "-" {print $1}' "$tmp/want" | sort -u >"$tmp/rules"
missing=$(comm -23 "$tmp/rules" "$tmp/seen")
if [ -z "$missing" ]; then
	ok "all $(wc -l <"$tmp/rules") expected rules were logged"
else
	bad "expected rules never logged: $(tr '\n' ' ' <<<"$missing")"
fi

# ---- 3. how many ---------------------------------------------------------------
total=$(sed -n 's/^kvmbus: \([0-9][0-9]*\) guest inputs refused$/\1/p' "$log" | tail -n 1)
if [ -z "$total" ]; then
	total=$(grep -c 'kvmbus: guest refused \[' "$log")
	echo "hostile: note: kvmbus printed no total; counted $total refusal lines"
fi
if [ "$total" -ge "$MIN_REFUSALS" ]; then ok "$total guest inputs refused (>= $MIN_REFUSALS)"
else bad "only $total guest inputs refused (< $MIN_REFUSALS)"; fi
cases=$(grep -c '^# hostile case [0-9]' "$log")
if [ "$cases" -ge "$MIN_CASES" ]; then ok "$cases malformed-input cases ran (>= $MIN_CASES)"
else bad "only $cases cases ran (< $MIN_CASES)"; fi

# ---- 4. the guest's table is expected.txt -------------------------------------------
sed -n 's/^# hostile case [0-9]* \[\([^]]*\)\] \(.*\)/\1 \2/p' "$log" >"$tmp/ran"
if cmp -s "$tmp/want" "$tmp/ran"; then
	ok "the guest's case table matches expected.txt"
else
	bad "the guest's case table differs from expected.txt (< expected, > guest):"
	diff "$tmp/want" "$tmp/ran" | sed -n '/^[<>]/p' | head -n 20 | sed 's/^/    | /'
fi

# ---- 5. each refusal inside its own case ----------------------------------------------
# Windows: a "# hostile case K [rule] name" marker opens one, any other
# "# hostile " line closes it.
attribution=$(awk '
	function close_window() {
		if (open) {
			if (rule == "-" && nref > 0)
				printf "case %d (%s) is not to be refused, drew: %s\n", k, name, refs
			else if (rule != "-" && !hit)
				printf "case %d (%s) drew %s, not [%s]\n", k, name, nref ? refs : "no refusal", rule
		}
		open = 0
	}
	/^# hostile case [0-9]+ \[/ {
		close_window()
		k = $4; rule = $5; gsub(/^\[|\]$/, "", rule)
		name = $0; sub(/^# hostile case [0-9]+ \[[^]]*\] /, "", name)
		open = 1; hit = 0; nref = 0; refs = ""
		next
	}
	/^# hostile / { close_window(); next }
	/kvmbus: guest refused \[/ {
		r = $0; sub(/.*guest refused \[/, "", r); sub(/\].*/, "", r)
		if (!open) { printf "refusal [%s] outside any case: %s\n", r, $0; next }
		nref++; refs = refs "[" r "]"
		if (r == rule) hit = 1
	}
	END { close_window() }
' "$log")
if [ -z "$attribution" ]; then
	ok "every refusal happened inside the case that provoked it"
else
	bad "refusals not where the cases expect them:"
	echo "$attribution" | head -n 30 | sed 's/^/    | /'
fi

# ---- 6. TAP and the clean exchange ------------------------------------------------------
if grep -q '^not ok ' "$log"; then
	bad "failed TAP checks:"; grep '^not ok ' "$log" | head -n 20 | sed 's/^/    | /'
elif grep -Eq '^# kvmbus-guest: [0-9]+ checks, 0 failed' "$log"; then
	ok "no TAP check failed"
else
	bad "no TAP summary line"
fi
if grep -Eq '^ok [0-9]+ - clean: 100 packets echoed byte-exact' "$log"; then
	ok "clean exchange of 100 packets after the attacks passed"
else
	bad "the clean exchange after the attacks did not pass"
fi

if [ "$failures" -eq 0 ]; then
	echo "hostile: PASS ($cases cases, $(wc -l <"$tmp/rules") distinct rules, $total refusals)"
	exit 0
fi
echo "hostile: FAIL ($failures assertion(s) failed; log: ${KVMBUS_HOSTILE_LOG:-set KVMBUS_HOSTILE_LOG=FILE to keep it})"
exit 1
