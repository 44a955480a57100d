# shellcheck shell=bash disable=SC2034
# paths.sh — sourced (not run) by the scripts in tests/linux/: where the
# Linux 6.1 source and build live.  Outside build/, so `make clean` keeps
# them; override the root with KVMBUS_CACHE.
kvmbus_cache=${KVMBUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvmbus}
linux_root=$kvmbus_cache/linux-6.1
linux_src=$linux_root/src          # Debian's linux-source-6.1, unpacked
linux_out=$linux_root/build        # make O=... output, .config included
linux_vmlinux=$linux_out/vmlinux
linux_bzimage=$linux_out/arch/x86/boot/bzImage
linux_stamp=$linux_out/.kvmbus-stamp
