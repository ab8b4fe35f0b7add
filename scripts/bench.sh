#!/usr/bin/env bash
# make bench: boot the bench guest in Bochs with hv's "bench" option and
# report every figure twice: in TSC ticks (Bochs's TSC counts retired
# instructions, so these repeat exactly) and in wall time, taken from when
# each "bench: begin NAME" and "bench: NAME ..." line reached the serial
# port. Prints "bench: NAME VALUE UNIT" lines; logs stay in build/bench/.
#
#   scripts/bench.sh [HV_ELF]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=tests/boot/lib.sh
. tests/boot/lib.sh

elf=${1:-build/hv.elf}
out=build/bench
exits=100000
rm -rf "$out"
mkdir -p "$out"

scripts/mkiso.sh "$out/hv.iso" "$elf" "loglevel=info bench" \
	build/guests/bench.elf "name=bench mem=32M" >"$out/mkiso.log" 2>&1
mkfifo "$out/serial.fifo"
hv_write_bochsrc "$out/bochsrc" hv.iso corei7_skylake_x "mode=file, dev=serial.fifo" bochs.log 128
printf 'continue\nquit\n' >"$out/bochs.rc"

# Timestamp each serial line as it arrives (the FIFO delivers it at once).
(
	while IFS= read -r line; do
		printf '%s %s\n' "$(date +%s.%N)" "${line%$'\r'}"
	done <"$out/serial.fifo" >"$out/serial.ts"
) &
reader=$!
(cd "$out" && timeout -s HUP -k 5 300 setsid bochs-bin -q -f bochsrc -rc bochs.rc \
	</dev/null >bochs.out 2>&1) || true
wait "$reader" || true

# One line per figure; for every "begin" marker also the wall time.
awk -v exits="$exits" '
	{ t = $1; sub(/^[^ ]+ /, ""); gsub(/\033\[[0-9;?]*[a-zA-Z]/, "") }
	/^hv: first VM entry at TSC/ {
		printf "bench: first_line_to_first_guest_entry %s ticks\n", $(NF - 6) }
	{ line = $0; sub(/^\[bench\] /, "", line) }
	line ~ /^bench: begin / { begun[$NF] = t; next }
	line ~ /^bench: [a-z_]+ [0-9]+ ticks$/ {
		split(line, f, " "); name = f[2]; print line
		if (name in begun) {
			wall = t - begun[name]
			if (name ~ /_exit$/)
				printf "bench: %s_wall %.2f us\n", name, wall * 1e6 / exits
			else
				printf "bench: %s_wall %.0f ms\n", name, wall * 1e3
		}
	}
	/^guest bench (exited|stopped)/ { summary = $0 }
	END { if (summary != "guest bench exited 0") { print "bench: FAILED: " summary; exit 1 } }
' "$out/serial.ts" | tee "$out/figures.txt"
