#!/usr/bin/env bash
# Boot an ISO in the best emulator this machine has and show the serial output
# live; returns when the emulator ends (or after RUN_TIMEOUT seconds).
#
#   scripts/run.sh ISO          (normally through `make run`)
#
# Choice: QEMU with KVM and -cpu host,+vmx when the host really offers nested
# VT-x (vmx CPU flag and kvm_intel nested=Y), else Bochs, the only emulator
# here that models VT-x (QEMU TCG has no VMX).
# Environment:
#   RUN_TIMEOUT    hard limit in seconds (default 300)
#   RUN_EMU        force bochs | qemu-kvm | qemu-bios | qemu-ovmf
#   RUN_CPU_MODEL  Bochs CPU model (default corei7_skylake_x)
#   RUN_DIR        where serial.log and the emulator's logs go (default: run/
#                  next to the ISO)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/boot/lib.sh
. "$here/../tests/boot/lib.sh"

if [ $# -ne 1 ]; then
	echo "usage: $0 ISO" >&2
	exit 2
fi
[ -f "$1" ] || {
	echo "run.sh: no such ISO: $1" >&2
	exit 1
}
iso=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=${RUN_DIR:-$(dirname "$iso")/run}
timeout_s=${RUN_TIMEOUT:-300}
model=${RUN_CPU_MODEL:-corei7_skylake_x}

if [ -n "${RUN_EMU:-}" ]; then
	emu=$RUN_EMU
	why="RUN_EMU=$RUN_EMU"
elif hv_nested_vmx; then
	emu=qemu-kvm
	why="the host offers nested VT-x through KVM"
else
	emu=bochs
	why="no nested VT-x for KVM here ($HV_NESTED_REASON) and QEMU TCG has no VMX"
fi

mkdir -p "$dir"
ln -sfn "$iso" "$dir/hv.iso"
rm -f "$dir/serial.log"
: >"$dir/serial.log"

# shellcheck disable=SC2054 # commas belong to QEMU option values
case $emu in
bochs)
	echo "run: Bochs with CPU $model, because $why; timeout ${timeout_s}s; logs in $dir"
	hv_write_bochsrc "$dir/bochsrc" hv.iso "$model" "mode=file, dev=serial.log" bochs.log
	printf 'continue\nquit\n' >"$dir/bochs.rc"
	cmd=(bochs-bin -q -f bochsrc -rc bochs.rc)
	;;
qemu-kvm)
	echo "run: QEMU with KVM and -cpu host,+vmx, because $why; timeout ${timeout_s}s; logs in $dir"
	cmd=(qemu-system-x86_64 -accel kvm -cpu host,+vmx)
	;;
qemu-bios)
	echo "run: QEMU TCG with SeaBIOS (no VT-x), because $why; timeout ${timeout_s}s; logs in $dir"
	cmd=(qemu-system-x86_64 -cpu max)
	;;
qemu-ovmf)
	echo "run: QEMU TCG with OVMF (no VT-x), because $why; timeout ${timeout_s}s; logs in $dir"
	cp "$HV_OVMF_VARS" "$dir/OVMF_VARS.fd"
	cmd=(qemu-system-x86_64 -machine q35 -cpu max
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$HV_OVMF_CODE"
		-drive if=pflash,format=raw,unit=1,file=OVMF_VARS.fd)
	;;
*)
	echo "run.sh: unknown RUN_EMU '$emu' (bochs, qemu-kvm, qemu-bios, qemu-ovmf)" >&2
	exit 2
	;;
esac
# shellcheck disable=SC2054 # commas belong to QEMU option values
if [ "${cmd[0]}" = qemu-system-x86_64 ]; then
	cmd+=(-cdrom hv.iso -serial file:serial.log -display none -no-reboot -nic none -m 256
		-device isa-debug-exit,iobase=0xf4,iosize=0x04)
fi
out=${cmd[0]%%-*}

# The emulator runs in its own session (Bochs's term display opens its own
# pty; Ctrl-C here must not reach Bochs's debugger), bounded by timeout:
# SIGHUP, which Bochs and QEMU both obey, then SIGKILL 5 s later.
(cd "$dir" && exec setsid timeout -s HUP -k 5 "$timeout_s" "${cmd[@]}" \
	</dev/null >"$out.stdout" 2>"$out.stderr") &
pid=$!
interrupted=0
trap 'interrupted=1; kill -HUP "$pid" 2>/dev/null || true' INT TERM HUP

# Follow the serial log until the emulator exits; strip GRUB's terminal escapes
# so it does not clear the screen.
tail -n +1 -s 0.2 --pid="$pid" -f "$dir/serial.log" |
	LC_ALL=C perl -ne '$| = 1;
		s/\e\[[0-?]*[ -\/]*[@-~]//g; s/\e\][^\a\e]*(?:\a|\e\\)//g;
		s/\e[()*+][ -~]//g; s/\e[ -~]//g; s/[\x00-\x08\x0b-\x1f\x7f]//g;
		print' || true
rc=0
wait "$pid" || rc=$?
trap - INT TERM HUP
if [ "$interrupted" = 1 ]; then
	echo "run: interrupted, $out stopped; logs in $dir"
	exit 130
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "run: timed out after ${timeout_s}s (RUN_TIMEOUT); logs in $dir"
	exit 1
fi
status=$(hv_clean_serial <"$dir/serial.log" | grep -E '^hv: machine stop, status [0-9]+' | tail -n 1 || true)
echo "run: $out exited with status $rc${status:+ after \"$status\"}"
