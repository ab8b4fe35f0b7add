#!/usr/bin/env bash
# Sanity checks on the built hypervisor image:
#   - ELF64, little-endian, x86-64, executable (ET_EXEC);
#   - a valid multiboot2 header (magic 0xE85250D6, architecture 0, checksum)
#     8-byte aligned within the first 32 KiB of the file, as GRUB requires;
#     cross-checked with `grub-file --is-x86-multiboot2` when available;
#   - at least one PT_LOAD segment, the entry point inside one.
# Prints one line: "hv.elf: FILE_BYTES bytes, loaded image N KiB" (the span
# of the PT_LOAD segments in physical memory, .bss included).
#
#   check-elf.sh ELF
set -euo pipefail
export LC_ALL=C

prog=${0##*/}
[ $# -eq 1 ] || {
	echo "usage: $prog ELF" >&2
	exit 2
}
elf=$1
name=${elf##*/}
fail() {
	echo "$prog: $elf: $*" >&2
	exit 1
}
if [ ! -f "$elf" ] || [ ! -r "$elf" ]; then fail "no such readable file"; fi

size=$(stat -c %s "$elf")
[ "$size" -ge 64 ] || fail "too small for an ELF64 header ($size bytes)"

# Unsigned little-endian integer of LEN bytes at OFFSET, in decimal. Values
# above 2^63 (upper-half virtual addresses) wrap in bash arithmetic; only
# physical addresses and sizes are compared below.
le() {
	local hex
	hex=$(od -An -tx1 -v -j "$1" -N "$2" "$elf" | tr -d ' \n')
	[ ${#hex} -eq $(($2 * 2)) ] || fail "truncated at offset $1"
	local out="" i
	for ((i = ${#hex} - 2; i >= 0; i -= 2)); do
		out+=${hex:i:2}
	done
	echo $((16#$out))
}

magic=$(od -An -tx1 -N 4 "$elf" | tr -d ' \n')
[ "$magic" = 7f454c46 ] || fail "not an ELF file"
[ "$(le 4 1)" -eq 2 ] || fail "not ELF64 (EI_CLASS=$(le 4 1))"
[ "$(le 5 1)" -eq 1 ] || fail "not little-endian"
[ "$(le 16 2)" -eq 2 ] || fail "not an executable (e_type=$(le 16 2), want ET_EXEC=2)"
[ "$(le 18 2)" -eq 62 ] || fail "not x86-64 (e_machine=$(le 18 2))"

# Multiboot2 header: 8-byte aligned, in the first 32 KiB.
search=$((size < 32768 ? size : 32768))
mb_off=""
while read -r off; do
	off=${off%%:*}
	((off % 8 == 0)) || continue
	((off + 16 <= size)) || continue
	arch=$(le $((off + 4)) 4)
	hlen=$(le $((off + 8)) 4)
	csum=$(le $((off + 12)) 4)
	if (((0xE85250D6 + arch + hlen + csum) & 0xffffffff)); then
		continue
	fi
	mb_off=$off
	break
done < <(head -c "$search" "$elf" | LC_ALL=C grep -obaUP '\xd6\x50\x52\xe8' 2>/dev/null | cut -d: -f1 || true)
[ -n "$mb_off" ] || fail "no valid multiboot2 header (magic 0xE85250D6, 8-byte aligned, good checksum) in the first 32 KiB"
[ "$arch" -eq 0 ] || fail "multiboot2 header at offset $mb_off: architecture $arch, want 0 (i386)"
((hlen >= 24 && hlen % 8 == 0)) ||
	fail "multiboot2 header at offset $mb_off: odd header_length $hlen"

if command -v grub-file >/dev/null; then
	grub-file --is-x86-multiboot2 "$elf" ||
		fail "grub-file --is-x86-multiboot2 rejects it"
fi

# Program headers: span of PT_LOAD segments by physical address.
phoff=$(le 32 8)
phentsize=$(le 54 2)
phnum=$(le 56 2)
entry=$(le 24 8)
lo=-1 hi=0 entry_ok=0 nload=0
for ((i = 0; i < phnum; i++)); do
	ph=$((phoff + i * phentsize))
	[ "$(le "$ph" 4)" -eq 1 ] || continue # PT_LOAD
	vaddr=$(le $((ph + 16)) 8)
	paddr=$(le $((ph + 24)) 8)
	memsz=$(le $((ph + 40)) 8)
	((memsz > 0)) || continue
	nload=$((nload + 1))
	((lo < 0 || paddr < lo)) && lo=$paddr
	((paddr + memsz > hi)) && hi=$((paddr + memsz))
	# Compare as offsets so upper-half addresses work despite the wrap.
	d=$((entry - vaddr))
	((d >= 0 && d < memsz)) && entry_ok=1
	d=$((entry - paddr))
	((d >= 0 && d < memsz)) && entry_ok=1
done
((nload > 0)) || fail "no PT_LOAD segments"
((entry_ok)) || fail "entry point $(printf '0x%x' "$entry") outside every PT_LOAD segment"
((lo >= 0x100000)) ||
	echo "$prog: warning: $elf: a segment loads below 1 MiB ($(printf '0x%x' "$lo"))" >&2

echo "$name: $size bytes, loaded image $(((hi - lo + 1023) / 1024)) KiB"
