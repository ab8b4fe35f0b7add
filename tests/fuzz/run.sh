#!/bin/sh
# Build the x86 decoder fuzz target with libFuzzer, ASan and UBSan and run it.
# Usage: tests/fuzz/run.sh [SECONDS]  (default 30; see tests/fuzz/README.md)
# Environment: CLANG (default clang), FUZZ_OUT (default build/fuzz),
# FUZZ_JOBS (parallel fuzzing processes, default 1).
set -eu

seconds=${1:-30}
clang=${CLANG:-clang}
out=${FUZZ_OUT:-build/fuzz}
jobs=${FUZZ_JOBS:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)

cd "$root"
if ! command -v "$clang" >/dev/null; then
	echo "fuzz: $clang not found: apt-get install -y clang" >&2
	exit 1
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' |
	"$clang" -x c -fsanitize=fuzzer - -o "${TMPDIR:-/tmp}/fuzz-probe.$$" 2>/dev/null; then
	echo "fuzz: $clang cannot link libFuzzer: apt-get install -y libclang-rt-14-dev" \
		"(the libclang-rt-N-dev matching $clang)" >&2
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/fuzz-probe.$$"

mkdir -p "$out/corpus" "$out/crashes"
echo "  CLANG   $out/fuzz_x86_decode"
"$clang" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Iinclude \
	vmm/x86_decode.c tests/fuzz/fuzz_x86_decode.c -o "$out/fuzz_x86_decode"

# Seeds: one of each supported form, so the fuzzer starts past the opcode.
seed() {
	hex=$2
	: >"$out/corpus/seed-$1"
	while [ -n "$hex" ]; do
		rest=${hex#??}
		# shellcheck disable=SC2059 # an octal escape built for printf
		printf "\\$(printf %o "0x${hex%"$rest"}")" >>"$out/corpus/seed-$1"
		hex=$rest
	done
}
seed mov-store 8937
seed mov-load-sib-disp32 8b04250000e0fe
seed mov-rex-rip 448b0520000000
seed mov-imm32 41c781b000000078563412
seed mov-imm8 c6045a
seed moffs64 48a10003e0fe00000000
seed moffs8-store a20003e0fe
seed movzx 450fb60e
seed movsx16 4d0fbf6702
seed prefixes16 67668b902000e0fe
seed seg-8a 268a0d

# -max_len: a little more than one instruction, so truncation and trailing
# bytes are both explored.
set -- -max_total_time="$seconds" -max_len=32 -artifact_prefix=crashes/ -print_final_stats=1
if [ "$jobs" -gt 1 ]; then
	set -- "$@" -jobs="$jobs" -workers="$jobs" # each job logs to $out/fuzz-N.log
fi
cd "$out"
./fuzz_x86_decode "$@" corpus
