#!/bin/sh
# Check that the Debian packages the build and the tests need are installed;
# install the missing ones when running as root, else print the exact command.
# Usage: deps.sh build|run|test
set -eu

build_pkgs="gcc make binutils grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools cpio"
emu_pkgs="clang bochs bochs-term bochsbios vgabios qemu-system-x86 ovmf"

case "${1:-build}" in
build) want="$build_pkgs" ;;
run | test) want="$build_pkgs $emu_pkgs" ;;
*) echo "usage: $0 build|run|test" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
