#!/usr/bin/env bash
# Build the minimal Linux 6.1 that tests/linux/test-linux.sh boots under
# kvmbus: Debian's linux-source-6.1, `make tinyconfig`, plus kvmbus.config.
#
# Usage: tests/linux/build-kernel.sh [--force]
#
# Source and build live in the cache (tests/linux/paths.sh; KVMBUS_CACHE
# overrides it), so `make clean` does not cost a rebuild.  A stamp records
# the fragment's hash and the source's version: the kernel is rebuilt only
# when one of them changes (or with --force).  JOBS overrides -j$(nproc).
# On success the last two lines name the kernel:
#   vmlinux: /path/to/vmlinux
#   bzImage: /path/to/bzImage
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=paths.sh
. "$here/paths.sh"
fragment=$here/kvmbus.config
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-$(nproc)}
force=0
case "${1:-}" in
	--force) force=1 ;;
	"") ;;
	*) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

say() { echo "linux-kernel: $*"; }
start=$SECONDS

# ---- 1. packages ----------------------------------------------------------
# bc bison flex: kbuild and Kconfig; libelf-dev: objtool; lz4: KERNEL_LZ4.
# No libssl-dev: without modules or a trusted keyring nothing signs.
pkgs=(linux-source-6.1 gcc make libc6-dev bc bison flex libelf-dev lz4 cpio)
need=()
for p in "${pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing missing Debian packages: ${need[*]}"
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${need[@]}"
fi
[ -r "$tarball" ] || { say "$tarball is missing after installing linux-source-6.1" >&2; exit 1; }
src_version=$(dpkg-query -W -f '${Version}' linux-source-6.1)

# ---- 2. source, unpacked once per package version -----------------------
mkdir -p "$linux_root"
if [ "$(cat "$linux_src/.kvmbus-unpacked" 2>/dev/null)" != "$src_version" ]; then
	say "unpacking $tarball ($src_version) into $linux_src"
	rm -rf "$linux_src" "$linux_src.tmp" "$linux_out"
	mkdir -p "$linux_src.tmp"
	tar -xJf "$tarball" -C "$linux_src.tmp" --strip-components=1
	echo "$src_version" > "$linux_src.tmp/.kvmbus-unpacked"
	mv "$linux_src.tmp" "$linux_src"
else
	say "reusing the source in $linux_src ($src_version)"
fi

# ---- 3. up to date? -------------------------------------------------------
want_stamp="source=$src_version fragment=$(sha256sum < "$fragment" | cut -d' ' -f1)"
if [ $force = 0 ] && [ -f "$linux_vmlinux" ] && [ -f "$linux_bzimage" ] &&
   [ "$(cat "$linux_stamp" 2>/dev/null)" = "$want_stamp" ]; then
	say "up to date (stamp matches $(basename "$fragment"))"
	echo "vmlinux: $linux_vmlinux"
	echo "bzImage: $linux_bzimage"
	exit 0
fi
rm -f "$linux_stamp"

# ---- 4. configuration: tinyconfig + fragment, then verify ---------------
kmake() { make -C "$linux_src" O="$linux_out" "$@"; }
mkdir -p "$linux_out"
cfglog=$linux_out/kvmbus-config.log
say "configuring: tinyconfig + $(basename "$fragment") (log: $cfglog)"
{
	kmake tinyconfig &&
	"$linux_src/scripts/kconfig/merge_config.sh" -m -O "$linux_out" \
		"$linux_out/.config" "$fragment" &&
	kmake olddefconfig
} > "$cfglog" 2>&1 || { tail -n 20 "$cfglog" >&2; say "configuration failed" >&2; exit 1; }
"$here/check-config.sh" "$linux_out/.config" "$fragment"

# ---- 5. build -------------------------------------------------------------
say "building vmlinux and bzImage with -j$jobs (a few minutes)"
t0=$SECONDS
kmake -s -j"$jobs" vmlinux bzImage
say "built in $((SECONDS - t0)) s ($((SECONDS - start)) s in all)"
echo "$want_stamp" > "$linux_stamp"
say "sizes: vmlinux $(du -h --apparent-size "$linux_vmlinux" | cut -f1), bzImage $(du -h --apparent-size "$linux_bzimage" | cut -f1)"
echo "vmlinux: $linux_vmlinux"
echo "bzImage: $linux_bzimage"
