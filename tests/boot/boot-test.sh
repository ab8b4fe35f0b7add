#!/usr/bin/env bash
# Boot tests: boot one ISO per case file in an emulator and judge the run from
# the serial output only (emulator exit codes carry no verdict).
#
#   tests/boot/boot-test.sh [-j JOBS] CASEFILE...
#
# A case file is a bash fragment; see docs/testing.md and tests/boot/cases/.
# Variables it may set:
#   NAME           case name (default: file name without .case)
#   EMU            bochs | qemu-bios | qemu-ovmf | qemu-kvm
#   CPU_MODEL      Bochs CPU model (default corei7_skylake_x)
#   CMDLINE        hypervisor command line (may be empty)
#   MODULES        array of pairs: FILE MODULE_CMDLINE (paths relative to the repo)
#   TIMEOUT        seconds (default 60 for bochs, 30 for qemu)
#   EXPECT         array of extended regexes (grep -E) matching lines in order;
#                  one starting with a guest tag (^\[NAME\]) is ordered only
#                  against that guest's others, the rest among themselves
#   REJECT         array of regexes that must match no line; '^PANIC:' and
#                  '^EXCEPTION' are added unless ALLOW_DUMP=1
#   EXPECT_STATUS  N of the line "hv: machine stop, status N" (default 0;
#                  default unchecked when STOP_ON is set; "" or "any": unchecked)
#   STOP_ON        regex: kill the emulator once a serial line matches, then judge
#   MEMORY         MiB of guest RAM (default 128 for bochs, 256 for qemu)
#   BOCHS_IPS      Bochs ips (default 4000000); BOCHSRC_EXTRA: lines for bochsrc
#   QEMU_CPU       QEMU -cpu value for qemu-bios/qemu-ovmf (default max)
#   QEMU_ARGS      array of extra QEMU arguments
#   ELF            the hypervisor image to boot (default $HV_ELF)
#   INPUT          bochs only: array of pairs REGEX BYTES: when a serial line
#                  matches REGEX, type BYTES (printf %b escapes, e.g. '\001')
#                  into the console; pairs are used in order
# Environment: HV_ELF (default build/hv.elf), BOOT_TEST_DIR (default
# build/test), BOOT_TEST_JOBS (default 2), STOP_GRACE (seconds an emulator
# may keep running after the machine-stop line, default 10).
# Output: one line per case in command-line order (PASS/FAIL/SKIP), then
# "boot: N passed, N failed, N skipped". Exit status 1 if any case failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/boot/lib.sh
. "$here/lib.sh"

jobs=${BOOT_TEST_JOBS:-2}
if [ "${1:-}" = -j ]; then
	jobs=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 [-j JOBS] CASEFILE..." >&2
	exit 2
fi

# Case files may be given relative to the caller's directory; everything else
# (HV_ELF, module files, output) is relative to the repository root.
cases=()
for f in "$@"; do
	[ -f "$f" ] || {
		echo "boot-test: no such case file: $f" >&2
		exit 2
	}
	cases+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
cd "$root"
HV_ELF=${HV_ELF:-build/hv.elf}
out_base=${BOOT_TEST_DIR:-build/test}
STOP_GRACE=${STOP_GRACE:-10}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# A key at a time, as a person types: a guest (and hv, which polls the real
# UART between time slices) needs a moment per key.
type_slowly() {
	local bytes c
	bytes=$(printf '%b' "$1"; printf x)
	bytes=${bytes%x}
	while [ -n "$bytes" ]; do
		c=${bytes:0:1}
		bytes=${bytes:1}
		printf '%s' "$c"
		sleep 0.05
	done
}

# type_input PORT LOG REGEX BYTES...: be the console of a Bochs serving COM1
# on loopback PORT: append what it prints to LOG, and type BYTES once a line
# matches REGEX, pair after pair. Ends when Bochs closes the connection.
type_input() {
	local port=$1 log=$2 line clean i=0
	shift 2
	local -a input=("$@")
	for _ in $(seq 100); do
		exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null && break
		sleep 0.1
	done
	while IFS= read -r -u 3 line || [ -n "$line" ]; do
		printf '%s\n' "$line" >>"$log"
		clean=$(printf '%s\n' "$line" | hv_clean_serial)
		if [ "$i" -lt ${#input[@]} ] && [[ $clean =~ ${input[i]} ]]; then
			type_slowly "${input[i + 1]}" >&3
			printf 'after /%s/ typed %q\n' "${input[i]}" "${input[i + 1]}" >>"$log.typed"
			i=$((i + 2))
		fi
	done 2>/dev/null
}

# run_case INDEX CASEFILE: runs in a background subshell; writes the verdict
# to $rdir/INDEX: line 1 PASS|FAIL|SKIP, line 2 name, line 3 seconds,
# line 4 reason, line 5 log directory.
run_case() {
	local idx=$1 casefile=$2
	local NAME EMU CPU_MODEL CMDLINE TIMEOUT EXPECT_STATUS STOP_ON ALLOW_DUMP MEMORY
	local BOCHS_IPS BOCHSRC_EXTRA QEMU_CPU ELF serial_spec port=""
	local -a MODULES=() EXPECT=() REJECT=() QEMU_ARGS=() INPUT=()
	local t0 reason="" dir=""
	t0=$(now)

	NAME=$(basename "$casefile" .case)
	EMU="" CPU_MODEL=corei7_skylake_x CMDLINE="" TIMEOUT="" STOP_ON="" ALLOW_DUMP=0
	MEMORY="" BOCHS_IPS=4000000 BOCHSRC_EXTRA="" QEMU_CPU=max ELF=$HV_ELF
	unset EXPECT_STATUS
	# shellcheck source=/dev/null
	if ! . "$casefile"; then
		finish FAIL "case file did not load: $casefile"
		return
	fi
	if [ -z "${EXPECT_STATUS+x}" ]; then
		if [ -n "$STOP_ON" ]; then EXPECT_STATUS=""; else EXPECT_STATUS=0; fi
	fi
	[ "$EXPECT_STATUS" = any ] && EXPECT_STATUS=""
	dir=$out_base/$NAME

	case $EMU in
	bochs) : "${TIMEOUT:=60}" "${MEMORY:=128}" ;;
	qemu-bios | qemu-ovmf | qemu-kvm) : "${TIMEOUT:=30}" "${MEMORY:=256}" ;;
	*)
		finish FAIL "unknown EMU '$EMU' (bochs, qemu-bios, qemu-ovmf, qemu-kvm)"
		return
		;;
	esac
	if [ "$EMU" = qemu-kvm ] && ! hv_nested_vmx; then
		finish SKIP "no nested VT-x ($HV_NESTED_REASON)"
		return
	fi
	if [ $((${#MODULES[@]} % 2)) -ne 0 ]; then
		finish FAIL "MODULES must hold FILE CMDLINE pairs"
		return
	fi

	rm -rf "$dir"
	mkdir -p "$dir"
	if [ ! -f "$ELF" ]; then
		finish FAIL "$ELF missing (run make)"
		return
	fi
	if ! "$root/scripts/mkiso.sh" "$dir/hv.iso" "$ELF" "$CMDLINE" "${MODULES[@]}" \
		>"$dir/mkiso.log" 2>&1; then
		finish FAIL "mkiso failed: $(grep -m 1 -i 'error' "$dir/mkiso.log" || tail -n 1 "$dir/mkiso.log")"
		return
	fi

	# The emulator command, run inside $dir with relative file names.
	local -a cmd
	local sig=HUP
	# shellcheck disable=SC2054 # commas belong to QEMU option values
	case $EMU in
	bochs)
		serial_spec="mode=file, dev=serial.log"
		if [ ${#INPUT[@]} -gt 0 ]; then
			# Typing needs a two-way line: Bochs serves COM1 on a loopback
			# port and type_input (below) is its client.
			port=$((20000 + (RANDOM % 20000)))
			serial_spec="mode=socket-server, dev=127.0.0.1:$port"
		fi
		hv_write_bochsrc "$dir/bochsrc" hv.iso "$CPU_MODEL" "$serial_spec" \
			bochs.log "$MEMORY" "$BOCHS_IPS" "$BOCHSRC_EXTRA"
		printf 'continue\nquit\n' >"$dir/bochs.rc"
		cmd=(bochs-bin -q -f bochsrc -rc bochs.rc)
		;;
	qemu-*)
		cmd=(qemu-system-x86_64 -cdrom hv.iso -serial file:serial.log -display none
			-no-reboot -nic none -m "$MEMORY" -device isa-debug-exit,iobase=0xf4,iosize=0x04)
		case $EMU in
		qemu-bios) cmd+=(-cpu "$QEMU_CPU") ;;
		qemu-ovmf)
			cp "$HV_OVMF_VARS" "$dir/OVMF_VARS.fd"
			cmd+=(-machine q35 -cpu "$QEMU_CPU"
				-drive "if=pflash,format=raw,unit=0,readonly=on,file=$HV_OVMF_CODE"
				-drive if=pflash,format=raw,unit=1,file=OVMF_VARS.fd)
			;;
		qemu-kvm) cmd+=(-accel kvm -cpu host,+vmx) ;;
		esac
		cmd+=("${QEMU_ARGS[@]}")
		;;
	esac
	if ! command -v "${cmd[0]}" >/dev/null; then
		finish FAIL "${cmd[0]} not installed (scripts/deps.sh test)"
		return
	fi
	{
		echo "# $NAME: rerun this emulator by hand with: bash $dir/command"
		printf 'cd %q && exec' "$root/$dir"
		printf ' %q' timeout -s "$sig" -k 5 "$TIMEOUT" "${cmd[@]}"
		printf ' </dev/null\n'
	} >"$dir/command"

	# Own session: no terminal to fight over (Bochs's term display opens its
	# own pty), and no terminal signals. timeout bounds the run: SIGHUP (Bochs
	# ignores SIGTERM; QEMU quits on either), SIGKILL 5 s later.
	local emu_out=${cmd[0]%%-*}
	: >"$dir/serial.log"
	(cd "$dir" && exec setsid timeout -s "$sig" -k 5 "$TIMEOUT" "${cmd[@]}" \
		</dev/null >"$emu_out.stdout" 2>"$emu_out.stderr") &
	local emu=$! started=$SECONDS t_emu
	t_emu=$(now)
	echo "$emu" >"$dir/emulator.pid"
	trap 'kill -HUP "$emu" 2>/dev/null; wait "$emu" 2>/dev/null; exit 1' TERM INT
	local typist=""
	if [ -n "$port" ]; then
		type_input "$port" "$dir/serial.log" "${INPUT[@]}" 2>/dev/null &
		typist=$!
	fi

	local stopped="" stop_seen="" rc=0
	while kill -0 "$emu" 2>/dev/null; do
		sleep 0.2
		if [ -n "$STOP_ON" ] || [ -z "$stop_seen" ]; then
			hv_clean_serial <"$dir/serial.log" >"$dir/serial.txt"
		fi
		if [ -n "$STOP_ON" ] && grep -qE -- "$STOP_ON" "$dir/serial.txt"; then
			stopped="stop_on"
			break
		fi
		if [ -z "$stop_seen" ] && grep -qE '^hv: machine stop, status [0-9]+' "$dir/serial.txt"; then
			stop_seen=$SECONDS
		fi
		if [ -n "$stop_seen" ] && ((SECONDS - stop_seen > STOP_GRACE)); then
			stopped="no_exit"
			break
		fi
	done
	if [ -n "$stopped" ]; then
		# timeout forwards the signal to the emulator and sends SIGKILL 5 s later.
		kill -HUP "$emu" 2>/dev/null || true
	fi
	wait "$emu" || rc=$?
	# The typist writes the log: let it read what Bochs sent before it closed.
	[ -z "$typist" ] || wait "$typist" || true
	printf 'mkiso %ss, emulator %ss\n' "$(elapsed "$t0" "$t_emu")" "$(elapsed "$t_emu" "$(now)")" >"$dir/timing"
	trap - TERM INT
	rm -f "$dir/emulator.pid"
	echo "$rc" >"$dir/emulator.status"
	hv_clean_serial <"$dir/serial.log" >"$dir/serial.txt"

	# Judge from the cleaned serial log.
	local -a problems=()
	local re line n pos=0 hit
	local -a rejects=("${REJECT[@]}")
	[ "$ALLOW_DUMP" = 1 ] || rejects+=('^PANIC:' '^EXCEPTION')
	for re in "${rejects[@]}"; do
		hit=$(grep -nE -m 1 -- "$re" "$dir/serial.txt" || true)
		if [ -n "$hit" ]; then
			problems+=("rejected line ${hit%%:*} /$re/: '${hit#*:}'")
			break
		fi
	done
	local timed_out=0
	if [ "$stopped" = no_exit ]; then
		problems+=("emulator still running ${STOP_GRACE}s after the machine-stop line (no write to port 0xf4/0x8900?)")
	elif [ -z "$stopped" ] && { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } &&
		((SECONDS - started >= TIMEOUT - 1)); then
		timed_out=1
		if [ -n "$STOP_ON" ]; then
			problems+=("timed out after ${TIMEOUT}s (STOP_ON /$STOP_ON/ never matched)")
		else
			problems+=("timed out after ${TIMEOUT}s")
		fi
	fi
	# Guests run side by side, so their lines interleave: an expectation
	# that starts with a guest tag (^\[NAME\]) is ordered only against the
	# others of that guest; all the rest (hv's own lines) among themselves.
	local -A stream_pos=()
	local stream tag_re='^\^\\\[([A-Za-z0-9_-]+)\\\]'
	n=0
	for re in "${EXPECT[@]}"; do
		n=$((n + 1))
		stream=hv
		[[ $re =~ $tag_re ]] && stream=${BASH_REMATCH[1]}
		pos=${stream_pos[$stream]:-0}
		hit=$(tail -n +$((pos + 1)) "$dir/serial.txt" | grep -nE -m 1 -- "$re" || true)
		if [ -z "$hit" ]; then
			if [ "$pos" -eq 0 ]; then
				problems+=("missing expectation $n /$re/")
			else
				problems+=("missing expectation $n /$re/ after line $pos")
			fi
			break
		fi
		stream_pos[$stream]=$((pos + ${hit%%:*}))
	done
	if [ -n "$EXPECT_STATUS" ]; then
		line=$(grep -E '^hv: machine stop, status [0-9]+' "$dir/serial.txt" | tail -n 1 || true)
		if [ -z "$line" ]; then
			[ "$timed_out" = 1 ] ||
				problems+=("no 'hv: machine stop, status N' line (expected status $EXPECT_STATUS)")
		else
			line=${line#hv: machine stop, status }
			line=${line%%[!0-9]*}
			[ "$line" = "$EXPECT_STATUS" ] ||
				problems+=("machine stop status $line, expected $EXPECT_STATUS")
		fi
	fi
	if [ ! -s "$dir/serial.log" ]; then
		problems+=("no serial output at all ($EMU exit status $rc, see $emu_out.stderr)")
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		finish PASS ""
	else
		for line in "${problems[@]}"; do
			reason+="${reason:+; }$line"
		done
		finish FAIL "$reason"
	fi
}

finish() {
	printf '%s\n%s\n%s\n%s\n%s\n' "$1" "$NAME" "$(elapsed "$t0" "$(now)")" "$2" "$dir" >"$rdir/$idx.tmp"
	mv "$rdir/$idx.tmp" "$rdir/$idx"
}

rdir=$(mktemp -d "${TMPDIR:-/tmp}/boot-test.XXXXXX")
declare -a pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$rdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Reject duplicate names up front: they would share a log directory. Also
# order the launches by expected duration (OVMF firmware boots slowest, then
# Bochs) so the slow cases overlap the quick ones; results still print in
# command-line order.
declare -A seen=()
declare -a slow=() medium=() quick=()
for i in "${!cases[@]}"; do
	c=${cases[$i]}
	# shellcheck source=/dev/null
	info=$(NAME=$(basename "$c" .case) EMU="" && . "$c" >/dev/null 2>&1; echo "$EMU $NAME") ||
		info=" $(basename "$c" .case)"
	n=${info#* }
	if [ -n "${seen[$n]:-}" ]; then
		echo "boot-test: duplicate case name '$n' in $c and ${seen[$n]}" >&2
		exit 2
	fi
	seen[$n]=$c
	case ${info%% *} in
	qemu-ovmf) slow+=("$i") ;;
	bochs) medium+=("$i") ;;
	*) quick+=("$i") ;;
	esac
done
order=("${slow[@]}" "${medium[@]}" "${quick[@]}")

passed=0 failed=0 skipped=0 next=0
print_ready() {
	local f v name secs reason dir
	while [ "$next" -lt "${#cases[@]}" ] && [ -f "$rdir/$next" ]; do
		f=$rdir/$next
		{
			read -r v
			read -r name
			read -r secs
			read -r reason
			read -r dir
		} <"$f"
		case $v in
		PASS)
			echo "PASS $name (${secs}s)"
			passed=$((passed + 1))
			;;
		SKIP)
			echo "SKIP $name: $reason"
			skipped=$((skipped + 1))
			;;
		*)
			echo "FAIL $name: $reason (${secs}s; logs: ${dir:-none}/)"
			if [ -n "$dir" ] && [ -s "$dir/serial.txt" ]; then
				echo "  last lines of $dir/serial.txt:"
				tail -n 15 "$dir/serial.txt" | sed 's/^/  | /'
			fi
			failed=$((failed + 1))
			;;
		esac
		next=$((next + 1))
	done
}

running=0
for i in "${order[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
		print_ready
	fi
	run_case "$i" "${cases[$i]}" </dev/null &
	pids+=($!)
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || true
	running=$((running - 1))
	print_ready
done
print_ready
pids=()
# A job that died without a verdict (should not happen) counts as a failure.
while [ "$next" -lt "${#cases[@]}" ]; do
	echo "FAIL $(basename "${cases[$next]}" .case): runner died without a verdict"
	failed=$((failed + 1))
	next=$((next + 1))
done

echo "boot: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
