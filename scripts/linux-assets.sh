#!/usr/bin/env bash
# Fetch an unmodified Debian kernel and build a busybox initramfs for it, from
# Debian packages only, without installing anything into the host system.
#
#   linux-assets.sh [OUTDIR]        (default build/linux)
#
# Writes:
#   OUTDIR/vmlinuz            boot/vmlinuz-* of the image package that the
#                             metapackage linux-image-amd64 depends on
#   OUTDIR/busybox            bin/busybox of busybox-static (kept to rebuild
#                             the initramfs without downloading it again)
#   OUTDIR/initramfs.cpio.gz  newc cpio, gzip: /init (tests/linux/init),
#                             bin/busybox and a link per applet, dev/console,
#                             empty proc, sys, tmp, run, root
#   OUTDIR/VERSIONS           what they were made from, one line each:
#                             vmlinuz PACKAGE VERSION
#                             busybox PACKAGE VERSION
#                             initramfs busybox=VERSION init=SHA256
#
# The packages come with `apt-get download` (so from the Debian mirror apt
# uses) and are unpacked in a temporary directory. A file is fetched or built
# again only when the package version apt offers (or tests/linux/init) differs
# from what VERSIONS records, so a second run takes well under a second.
# The package lists are refreshed (apt-get update, as root) only when apt
# does not know the packages or a download fails.
#
# Needs: apt-get, apt-cache, dpkg-deb (always on Debian), cpio and gzip.
# Environment: LINUX_INIT (default tests/linux/init), LINUX_META (default
# linux-image-amd64), LINUX_BUSYBOX_PKG (default busybox-static).
set -euo pipefail

prog=${0##*/}
die() {
	echo "$prog: $*" >&2
	exit 1
}
note() { echo "$prog: $*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-build/linux}
init_src=${LINUX_INIT:-$root/tests/linux/init}
meta=${LINUX_META:-linux-image-amd64}
bb_pkg=${LINUX_BUSYBOX_PKG:-busybox-static}

[ $# -le 1 ] || die "usage: $prog [OUTDIR]"
[ -f "$init_src" ] || die "no init script: $init_src"
for tool in apt-get apt-cache dpkg-deb gzip sha256sum; do
	command -v "$tool" >/dev/null || die "$tool not found (this script needs a Debian system)"
done
if ! command -v cpio >/dev/null; then
	echo "$prog: cpio not found; install it with:" >&2
	echo "$prog:   apt-get install -y --no-install-recommends cpio" >&2
	exit 1
fi

mkdir -p "$out"
versions=$out/VERSIONS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-assets.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

updated=0
apt_update() {
	[ "$updated" = 0 ] || return 1
	updated=1
	if [ "$(id -u)" -ne 0 ]; then
		note "apt's package lists look stale or empty; run: sudo apt-get update"
		return 1
	fi
	note "running apt-get update"
	apt-get update -qq >"$tmp/update.log" 2>&1 || {
		cat "$tmp/update.log" >&2
		return 1
	}
}

# candidate PKG: the version apt-get download would fetch, or nothing.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

# resolve: sets kpkg to the concrete image package the metapackage depends on
# and its version ("linux-image-6.1.0-56-amd64 6.1.192-2") and bbver to
# busybox's candidate version; empty when apt does not know them. One
# apt-cache call (each costs most of a second) for the usual case.
resolve() {
	local info dep name ver
	kpkg="" bbver=""
	info=$(apt-cache show --no-all-versions "$meta" "$bb_pkg" 2>/dev/null) || true
	# The records' Package, Version and Depends lines, in order.
	bbver=$(awk -v p="$bb_pkg" '$1 == "Package:" { cur = $2 }
		cur == p && $1 == "Version:" { print $2; exit }' <<<"$info")
	# Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)
	dep=$(awk -v p="$meta" '$1 == "Package:" { cur = $2 }
		cur == p && $1 == "Depends:" { sub(/^Depends: /, ""); print; exit }' <<<"$info" |
		tr ',|' '\n' | sed 's/^ *//' | grep -E '^linux-image-[0-9]' | head -n 1)
	[ -n "$dep" ] || return 0
	name=${dep%% *}
	ver=$(sed -n 's/.*(= *\([^)]*\)).*/\1/p' <<<"$dep")
	[ -n "$ver" ] || ver=$(candidate "$name")
	[ -n "$ver" ] && kpkg="$name $ver"
	return 0
}

# recorded KEY: the rest of VERSIONS's line for KEY, or nothing.
recorded() {
	[ -f "$versions" ] || return 0
	awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$versions"
}

# fetch PKG VERSION DIR: download PKG=VERSION and unpack it into DIR. ONLY
# lists the member paths (as tar sees them) to unpack; all when empty.
fetch() {
	local pkg=$1 ver=$2 dir=$3 deb dl=$tmp/dl
	shift 3
	mkdir -p "$dl" "$dir"
	# apt downloads as the unprivileged _apt user: let it write here.
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$dl"
	fi
	if ! (cd "$dl" && apt-get download -q "$pkg=$ver" >"$tmp/download.log" 2>&1); then
		# A stale list names a file the mirror no longer has: refresh once.
		if apt_update && (cd "$dl" && apt-get download -q "$pkg=$ver" >"$tmp/download.log" 2>&1); then
			:
		else
			cat "$tmp/download.log" >&2
			die "apt-get download $pkg=$ver failed"
		fi
	fi
	deb=$(find "$dl" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	[ -n "$deb" ] || die "apt-get download left no ${pkg}_*.deb"
	if [ $# -eq 0 ]; then
		dpkg-deb -x "$deb" "$dir"
	else
		# Only the members we need: the kernel package is mostly modules
		# (hundreds of MB unpacked) that an initramfs-only boot never loads.
		dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$dir" --wildcards "$@"
	fi
	rm -f "$deb"
}

# Resolve what apt offers now; refresh the lists once if it knows nothing.
resolve
if [ -z "$kpkg" ] || [ -z "$bbver" ]; then
	apt_update || true
	resolve
fi
# Without an answer from apt, what is already in OUTDIR will do.
if [ -z "$kpkg" ]; then
	kpkg=$(recorded vmlinuz)
	if [ -z "$kpkg" ] || [ ! -f "$out/vmlinuz" ]; then die "apt knows no $meta (is apt-get update needed?)"; fi
	note "apt knows no $meta: keeping the recorded $kpkg"
fi
if [ -z "$bbver" ]; then
	bbver=$(recorded busybox)
	bbver=${bbver#"$bb_pkg "}
	if [ -z "$bbver" ] || [ ! -f "$out/busybox" ]; then die "apt knows no $bb_pkg (is apt-get update needed?)"; fi
	note "apt knows no $bb_pkg: keeping the recorded version $bbver"
fi

k_state=cached bb_state=cached ird_state=cached

# The kernel.
if [ ! -s "$out/vmlinuz" ] || [ "$(recorded vmlinuz)" != "$kpkg" ]; then
	read -r kname kver <<<"$kpkg"
	fetch "$kname" "$kver" "$tmp/kernel" './boot/vmlinuz-*'
	set -- "$tmp"/kernel/boot/vmlinuz-*
	if [ $# -ne 1 ] || [ ! -f "$1" ]; then die "$kname has no single boot/vmlinuz-*"; fi
	cp "$1" "$out/vmlinuz.tmp"
	mv -f "$out/vmlinuz.tmp" "$out/vmlinuz"
	k_state=downloaded
fi

# Busybox.
if [ ! -s "$out/busybox" ] || [ "$(recorded busybox)" != "$bb_pkg $bbver" ]; then
	fetch "$bb_pkg" "$bbver" "$tmp/busybox" './bin/busybox'
	[ -f "$tmp/busybox/bin/busybox" ] || die "$bb_pkg has no bin/busybox"
	cp "$tmp/busybox/bin/busybox" "$out/busybox.tmp"
	chmod 0755 "$out/busybox.tmp"
	mv -f "$out/busybox.tmp" "$out/busybox"
	bb_state=downloaded
fi

# newc_entry NAME MODE MAJOR MINOR: one header-only cpio newc entry (a device
# node or directory needs no data), padded to 4 bytes. Lets dev/console into
# the archive without mknod, so without root.
newc_entry() {
	local name=$1 mode=$2 major=$3 minor=$4 namesize hdr
	namesize=$((${#name} + 1))
	# magic ino mode uid gid nlink mtime filesize devmajor devminor
	# rdevmajor rdevminor namesize check
	hdr=$(printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x' \
		0 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	local pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

# The initramfs.
init_sum=$(sha256sum "$init_src" | cut -d' ' -f1)
ird_rec="busybox=$bbver init=$init_sum"
if [ ! -s "$out/initramfs.cpio.gz" ] || [ "$(recorded initramfs)" != "$ird_rec" ]; then
	stage=$tmp/initramfs
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc}
	cp "$out/busybox" "$stage/bin/busybox"
	cp "$init_src" "$stage/init"
	chmod 0755 "$stage/init" "$stage/bin/busybox"
	# One symlink per applet, where busybox --install -s would put it. The
	# binary is static x86-64: it runs here to list itself. Elsewhere, /init
	# falls back to busybox --install -s at boot.
	if applets=$("$stage/bin/busybox" --list-full 2>/dev/null); then
		while read -r path; do
			case $path in "" | bin/busybox) continue ;; esac
			mkdir -p "$stage/$(dirname "$path")"
			ln -sf /bin/busybox "$stage/$path"
		done <<<"$applets"
	else
		note "cannot run busybox here: /init installs its links at boot"
		ln -sf busybox "$stage/bin/sh"
	fi
	# Files owned by root, dates fixed: the same inputs give the same archive.
	find "$stage" -exec touch -h -d @0 {} +
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) >"$tmp/initramfs.cpio"
	# A second archive with the console device; the kernel unpacks both (they
	# follow each other, each with its trailer).
	{
		newc_entry dev/console $((8#020600)) 5 1
		newc_entry TRAILER!!! 0 0 0
	} >>"$tmp/initramfs.cpio"
	gzip -9 -n <"$tmp/initramfs.cpio" >"$out/initramfs.cpio.gz.tmp"
	mv -f "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
	ird_state=built
fi

{
	echo "vmlinuz $kpkg"
	echo "busybox $bb_pkg $bbver"
	echo "initramfs $ird_rec"
} >"$versions.tmp"
mv -f "$versions.tmp" "$versions"

size() { stat -c %s "$1"; }
printf '%s: %s %s bytes, %s (%s)\n' "$prog" "$out/vmlinuz" "$(size "$out/vmlinuz")" "$kpkg" "$k_state"
printf '%s: %s %s bytes, %s %s (%s)\n' "$prog" "$out/busybox" "$(size "$out/busybox")" "$bb_pkg" "$bbver" "$bb_state"
printf '%s: %s %s bytes, %s %s + %s (%s)\n' "$prog" "$out/initramfs.cpio.gz" "$(size "$out/initramfs.cpio.gz")" \
	"$bb_pkg" "$bbver" "${init_src#"$root/"}" "$ird_state"
