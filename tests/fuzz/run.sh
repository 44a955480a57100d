#!/usr/bin/env bash
# Run libFuzzer targets one after the other and summarise each run.
# Usage: tests/fuzz/run.sh FUZZ_DIR SECONDS MODE TARGET...
#   MODE corpus: the scratch corpus FUZZ_DIR/corpus/TARGET is kept between
#                runs (it grows; the checked-in corpus is copied in first)
#   MODE short:  a fresh scratch copy each run (make test)
# Crashing inputs go to FUZZ_DIR/artifacts/TARGET/; full logs to
# FUZZ_DIR/logs/TARGET.log.  Exits non-zero if any target failed.
set -u
dir=$1 secs=$2 mode=$3
shift 3
seeds=tests/fuzz/corpus
failed=0
summary=()

for t in "$@"; do
	bin=$dir/$t
	scratch=$dir/$mode/$t
	[ "$mode" = corpus ] || scratch=$dir/short/$t
	arts=$dir/artifacts/$t
	log=$dir/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is not built" >&2
		failed=1
		continue
	fi
	[ "$mode" = corpus ] || rm -rf "$scratch"
	mkdir -p "$scratch" "$arts" "$(dirname "$log")"
	if [ -d "$seeds/$t" ]; then
		cp -f "$seeds/$t"/* "$scratch"/ 2>/dev/null
	fi
	marker=$(mktemp)
	echo "== fuzz: $t for ${secs}s (corpus $scratch)"
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		"$bin" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=20 -rss_limit_mb=2560 -max_len=8192 \
		-artifact_prefix="$arts/" "$scratch" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	newu=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 |
	      sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/\1/')
	line=$(printf '%-20s %8s execs (%s/s)  %s  new %s  rss %sMB' "$t" \
	       "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "${newu:-?}" "${rss:-?}")
	if [ "$rc" -eq 0 ]; then
		echo "   $line  OK"
		summary+=("OK    $line")
	else
		failed=1
		echo "!! $t FAILED (exit $rc); the report:"
		grep -nE 'ERROR: |SUMMARY: |fuzz invariant failed|runtime error' "$log" | head -5
		sed -n '/^==[0-9]*==ERROR/,/^SUMMARY/p' "$log" | head -60
		found=$(find "$arts" -type f -newer "$marker" 2>/dev/null)
		for a in $found; do
			echo "   crashing input: $a"
			echo "   reproduce:      $bin $a"
		done
		echo "   full log: $log"
		summary+=("FAIL  $line")
	fi
	rm -f "$marker"
done

echo "== fuzz summary ($secs s per target)"
for s in "${summary[@]}"; do
	echo "   $s"
done
old=$(find "$dir/artifacts" -type f 2>/dev/null | wc -l)
[ "$old" -eq 0 ] || echo "   artifacts kept in $dir/artifacts/ ($old files)"
exit $failed
