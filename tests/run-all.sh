#!/usr/bin/env bash
# All tests: the host unit tests (build/unit/unit_tests, built by make), then
# every boot case in tests/boot/cases. Ends with the wall time and one summary
# line "N passed, N failed" (", N skipped" when cases were skipped), summing
# unit tests and boot cases. Exit status 1 on any failure.
#
#   tests/run-all.sh          (normally through `make test`)
# Environment: UNIT_TESTS (default build/unit/unit_tests); the boot-test.sh
# variables (HV_ELF, BOOT_TEST_JOBS, ...) pass through.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
start=$(date +%s.%N)
passed=0 failed=0 skipped=0

# Pick "N passed, N failed[, N skipped]" out of a summary line.
count() { # LINE WORD
	local re="([0-9]+) $2"
	if [[ $1 =~ $re ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

# run_suite LABEL SUMMARY_PREFIX COMMAND...: runs one suite with its output on
# the terminal, then adds the counts of its "PREFIX: N passed, N failed[, N
# skipped]" line. A suite without that line, or one that exits non-zero
# while reporting no failure, counts as one failure.
run_suite() {
	local label=$1 prefix=$2 log rc summary
	shift 2
	echo "== $label"
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(grep -E "^$prefix: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$summary" ]; then
		echo "run-all: $label ended without a summary line (exit status $rc)" >&2
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(count "$summary" passed)))
	failed=$((failed + $(count "$summary" failed)))
	skipped=$((skipped + $(count "$summary" skipped)))
	if [ "$rc" -ne 0 ] && [ "$(count "$summary" failed)" -eq 0 ]; then
		echo "run-all: $label exited with status $rc" >&2
		failed=$((failed + 1))
	fi
}

unit=${UNIT_TESTS:-build/unit/unit_tests}
if [ -x "$unit" ]; then
	run_suite "unit tests ($unit)" unit "$unit"
else
	echo "run-all: $unit missing (make unit)" >&2
	failed=$((failed + 1))
fi

shopt -s nullglob
cases=(tests/boot/cases/*.case)
if [ ${#cases[@]} -gt 0 ]; then
	run_suite "boot tests" boot tests/boot/boot-test.sh "${cases[@]}"
else
	echo "run-all: no boot cases in tests/boot/cases" >&2
	failed=$((failed + 1))
fi

echo "wall time: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
