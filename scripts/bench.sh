#!/usr/bin/env bash
# make bench: boot bench guests in Bochs and report every figure twice: in
# TSC ticks (Bochs's TSC counts retired instructions, so these repeat
# exactly) and in wall time, taken from when each "bench: begin NAME" and
# "bench: NAME ..." line reached the serial port. Prints "bench: NAME VALUE
# UNIT" lines (docs/performance.md); logs stay in build/bench/BOOT/.
#
#   scripts/bench.sh [HV_ELF]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=tests/boot/lib.sh
. tests/boot/lib.sh

elf=${1:-build/hv.elf}
exits=100000
rm -rf build/bench
mkdir -p build/bench

# boot NAME CMDLINE [MODULE MODULE_CMDLINE]...: one Bochs run (BENCH_MEGS,
# BENCH_IPS); its serial lines, each prefixed with the wall time it
# arrived, in build/bench/NAME/serial.ts, and the start time in start.
boot() {
	local out=build/bench/$1 cmdline=$2 reader
	shift 2
	mkdir -p "$out"
	scripts/mkiso.sh "$out/hv.iso" "$elf" "$cmdline" "$@" >"$out/mkiso.log" 2>&1
	mkfifo "$out/serial.fifo"
	hv_write_bochsrc "$out/bochsrc" hv.iso corei7_skylake_x "mode=file, dev=serial.fifo" \
		bochs.log "${BENCH_MEGS:-128}" "${BENCH_IPS:-4000000}"
	date +%s.%N >"$out/start"
	printf 'continue\nquit\n' >"$out/bochs.rc"
	# The FIFO delivers each line as it is written: timestamp it then.
	(
		while IFS= read -r line; do
			printf '%s %s\n' "$(date +%s.%N)" "${line%$'\r'}"
		done <"$out/serial.fifo" >"$out/serial.ts"
	) &
	reader=$!
	(cd "$out" && timeout -s HUP -k 5 300 setsid bochs-bin -q -f bochsrc -rc bochs.rc \
		</dev/null >bochs.out 2>&1) || true
	wait "$reader" || true
}

# figures NAME: one line per "bench: NAME VALUE ticks" of that boot, and
# for each with a "bench: begin NAME" marker the wall time too.
figures() {
	awk -v exits="$exits" '
		{ t = $1; sub(/^[^ ]+ /, ""); gsub(/\033\[[0-9;?]*[a-zA-Z]/, "") }
		/^hv: first VM entry at TSC/ {
			printf "bench: first_line_to_first_guest_entry %s ticks\n", $(NF - 6) }
		{ line = $0; sub(/^\[[^]]+\] /, "", line) }
		line ~ /^bench: begin / { begun[$NF] = t; next }
		line ~ /^bench: [a-z0-9_]+ [0-9]+ ticks$/ {
			split(line, f, " "); name = f[2]; print line
			if (name in begun) {
				wall = t - begun[name]
				if (name ~ /_exit$/)
					printf "bench: %s_wall %.2f us\n", name, wall * 1e6 / exits
				else if (name !~ /^(timer_irq|uart_byte|xapic_mmio|x2apic_msr)/)
					printf "bench: %s_wall %.0f ms\n", name, wall * 1e3
			}
		}
		/^guest [^ ]+ stopped/ { print "bench: FAILED: " $0; bad = 1 }
		END { exit bad }
	' "build/bench/$1/serial.ts"
}

# fairness N: N CPU-bound workers side by side, each counting loop
# iterations over the same span of TSC time; each one's share of the total
# against 1/N.
fairness() {
	local n=$1 i
	local -a mods=()
	for ((i = 0; i < n; i++)); do
		mods+=(build/guests/worker.elf "name=w$i mem=2M")
	done
	boot "fair$n" "loglevel=warn" "${mods[@]}"
	awk -v n="$n" '
		/worker: [0-9]+ iterations/ {
			for (i = 1; i <= NF; i++) if ($i == "worker:") count[++k] = $(i + 1)
		}
		END {
			if (k != n) { printf "bench: fairness_%d FAILED: %d of %d workers reported\n", n, k, n; exit 1 }
			for (i = 1; i <= k; i++) total += count[i]
			lo = 1; hi = 0
			for (i = 1; i <= k; i++) { s = count[i] / total; if (s < lo) lo = s; if (s > hi) hi = s }
			printf "bench: fairness_%d_share_min %.1f %% (ideal %.1f %%)\n", n, lo * 100, 100 / n
			printf "bench: fairness_%d_share_max %.1f %% (ideal %.1f %%)\n", n, hi * 100, 100 / n
			printf "bench: fairness_%d_worst_deviation %.1f %% of 1/N\n", n,
				100 * (hi * n - 1 > 1 - lo * n ? hi * n - 1 : 1 - lo * n)
		}
	' "build/bench/fair$n/serial.ts"
}

# linux: the same Debian kernel and initramfs booted straight by GRUB in
# Bochs and as a guest of hv (beside nothing), same CPU model, RAM and
# ips: wall time to /init's marker, the ratio, and the guest's VM exits.
linux() {
	local native guest
	BOCHS_IPS=50000000 MEMORY=512 tests/boot/linux-native.sh build/linux \
		>build/bench/linux-native.log 2>&1 || true
	native=$(sed -n 's/^LINUX-MARKER: init started after \([0-9.]*\)s$/\1/p' \
		build/linux-native/summary.txt)
	BENCH_MEGS=512 BENCH_IPS=50000000 boot linux "loglevel=info" build/linux/vmlinuz \
		"name=linux mem=256M 'cmdline=console=ttyS0,115200 acpi=off tsc=reliable linux_read_timeout=1'" \
		build/linux/initramfs.cpio.gz "for=linux"
	guest=$(awk -v s="$(cat build/bench/linux/start)" \
		'/LINUX-MARKER: init started/ { printf "%.1f", $1 - s; exit }' build/bench/linux/serial.ts)
	echo "bench: linux_native_to_marker ${native:-?} s"
	echo "bench: linux_guest_to_marker ${guest:-?} s"
	awk -v n="$native" -v g="$guest" 'BEGIN { if (n > 0 && g > 0) printf "bench: linux_guest_native_ratio %.2f\n", g / n }'
	sed -n 's/^[^ ]* hv: guest linux: \([0-9]* VM exits: .*\)/bench: linux_guest_exits \1/p' \
		build/bench/linux/serial.ts
}

{
	boot exits "loglevel=info bench" build/guests/bench.elf "name=bench mem=32M"
	figures exits
	# bench here for line-accurate output; its bare-CPU loops were measured above
	boot irq "loglevel=info bench" build/guests/irqbench.elf "name=irqbench mem=2M"
	figures irq | grep -v '^bench: bare_'
	for n in 1 2 4 8; do
		fairness "$n"
	done
	linux
} | tee build/bench/figures.txt
