#!/usr/bin/env bash
# tests/nested/run.sh — run a command under a real, nested /dev/kvm.
#
# For machines without /dev/kvm: boots Debian's Linux kernel under QEMU's
# software emulator (TCG) with a CPU model that exposes AMD SVM, loads kvm and
# kvm_amd inside it, and runs the given shell command there, chrooted into the
# host's root file system (shared read-only over 9p), with the repository (and
# any --share directory) mounted writable at the same path.  The command's
# output (stdout and stderr, merged) is streamed to this script's stdout and
# its exit status becomes this script's exit status.
#
# Usage: tests/nested/run.sh [options] -- 'shell command'
#   --timeout SECS      kill the VM after SECS seconds (default 900); exit 124
#   --share DIR         also mount host DIR read-write at the same path
#                       (repeatable; the repository is always shared)
#   --add PATH[=GPATH]  copy a host file or directory into the initramfs at
#                       GPATH (default: same path); the initramfs is cached by
#                       content, so this rebuilds it when PATH changes
#   --env NAME=VALUE    export a variable to the command (repeatable)
#   --no-chroot         run the command in the busybox initramfs instead of a
#                       chroot into the host root (host root is at /host)
#   --kvm-amd ARGS      kvm_amd module parameters, e.g. "npt=0" (default: none)
#   --cpu MODEL         QEMU CPU model (default: max; e.g. "EPYC,+svm,+npt")
#   --smp N / --mem SIZE  L1 guest vCPUs / memory (default 2 / 2G)
#   --append ARGS       extra kernel command line for the L1 guest
#   --verbose           also stream the guest's kernel console to stderr
#   --monitor SOCKET    serve QEMU's human monitor on a unix socket, to look
#                       at a wedged L1 guest (e.g. "info registers -a")
#   --rebuild           rebuild the cached initramfs
#
# The working directory inside the guest is the current directory if it is
# inside a shared directory, else the repository root.  HOME is /root, which
# is a fresh tmpfs, as are /tmp, /var/tmp and /run.
#
# Exit status: the command's, 124 on timeout, 125 if the VM died without
# reporting a status (the tail of the guest console is printed on stderr).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

timeout=900
shares=("$repo")
adds=()
envs=()
chroot_mode=1
kvm_amd_args=""
cpu=max
smp=2
mem=2G
append=""
verbose=0
monitor=""
rebuild=0

die() { echo "run.sh: $*" >&2; exit 125; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout=$2; shift 2 ;;
        --share) [ -d "$2" ] || die "no such directory: $2"; shares+=("$(cd "$2" && pwd)"); shift 2 ;;
        --add) adds+=("$2"); shift 2 ;;
        --env) envs+=("$2"); shift 2 ;;
        --no-chroot) chroot_mode=0; shift ;;
        --kvm-amd) kvm_amd_args=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        --append) append=$2; shift 2 ;;
        --verbose) verbose=1; shift ;;
        --monitor) monitor=$2; shift 2 ;;
        --rebuild) rebuild=1; shift ;;
        -h|--help) usage ;;
        --) shift; break ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || usage
cmd="$*"

# ---------------------------------------------------------------- dependencies
apt_updated=0
need_pkg() { # need_pkg PACKAGE REASON
    echo "run.sh: installing Debian package $1 ($2)" >&2
    if [ $apt_updated = 0 ]; then
        apt-get update -q >/dev/null || die "apt-get update failed"
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" >&2 \
        || die "apt-get install $1 failed"
}
command -v qemu-system-x86_64 >/dev/null || need_pkg qemu-system-x86 "the emulator"
command -v cpio >/dev/null || need_pkg cpio "to pack the initramfs"
command -v gzip >/dev/null || need_pkg gzip "to compress the initramfs"

find_kernel() { # newest /boot/vmlinuz-* whose modules include kvm-amd
    local v
    for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -rV); do
        if ls /lib/modules/"$v"/kernel/arch/x86/kvm/kvm-amd.ko* >/dev/null 2>&1; then
            echo "$v"; return 0
        fi
    done
    return 1
}
kver=$(find_kernel) || { need_pkg linux-image-amd64 "a kernel with kvm_amd and 9p modules"; kver=$(find_kernel) || die "no usable kernel in /boot"; }
kernel=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver

cache=${XDG_CACHE_HOME:-$HOME/.cache}/kvmbus-nested
mkdir -p "$cache"

# A static busybox: the system's if it is static, else busybox-static's,
# extracted into the cache (it conflicts with the dynamic busybox package).
is_static() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }
busybox=""
for b in /bin/busybox /usr/bin/busybox "$cache/busybox-static/bin/busybox"; do
    if is_static "$b"; then busybox=$b; break; fi
done
if [ -z "$busybox" ]; then
    if ! dpkg -s busybox >/dev/null 2>&1; then
        need_pkg busybox-static "a static shell for the initramfs"
        busybox=/bin/busybox
    else
        echo "run.sh: fetching Debian package busybox-static into $cache (busybox is installed, they conflict)" >&2
        [ $apt_updated = 1 ] || { apt-get update -q >/dev/null; apt_updated=1; }
        (cd "$cache" && rm -f busybox-static_*.deb && apt-get download -q busybox-static >&2 \
            && rm -rf busybox-static && dpkg-deb -x busybox-static_*.deb busybox-static) \
            || die "could not get busybox-static"
        busybox=$cache/busybox-static/bin/busybox
    fi
    is_static "$busybox" || die "$busybox is not static"
fi

# ------------------------------------------------------------------ initramfs
# Modules in load order: each one's dependencies (from modules.dep) first.
wanted_modules="virtio_pci 9pnet_virtio 9p kvm-amd"
module_order() {
    local m line path deps d
    declare -A seen=()
    for m in $wanted_modules; do
        line=$(grep -E "^[^:]*/${m//_/[-_]}\.ko(\.[a-z]+)?:" "$moddir/modules.dep") || die "module $m not in $moddir/modules.dep"
        path=${line%%:*}
        deps=${line#*:}
        # modules.dep lists the transitive closure, leaves last: load reversed.
        for d in $(echo $deps | tr ' ' '\n' | tac) "$path"; do
            [ -n "${seen[$d]:-}" ] && continue
            seen[$d]=1
            echo "$d"
        done
    done
}
mods=$(module_order)

init_script() {
cat <<'EOF'
#!/bin/busybox sh
# init of the kvmbus nested-KVM initramfs (generated by tests/nested/run.sh)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
log() { echo "kvmbus-nested: $*"; }
finish() { # finish STATUS
    echo "$1" > /ctl/rc 2>/dev/null
    sync
    log "KVMBUS-NESTED-EXIT=$1"
    poweroff -f
}
log "init started at uptime $(cut -d' ' -f1 /proc/uptime)s"
while read -r m; do
    case "$m" in
        */kvm-amd.ko|*/kvm_amd.ko) continue ;;   # loaded below, with its options
    esac
    insmod "/modules/$m" || log "insmod $m failed"
done < /modules/order
mkdir -p /ctl
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none kvmbus_ctl /ctl || { log "cannot mount the control share"; poweroff -f; }
. /ctl/config
insmod /modules/$(grep -E 'kvm[-_]amd\.ko$' /modules/order) $KVM_AMD_ARGS || log "insmod kvm_amd $KVM_AMD_ARGS failed"
if [ ! -c /dev/kvm ]; then
    { log "no /dev/kvm in the L1 guest (does the CPU model have svm?); kernel said:"
      grep -o -w -E 'svm|npt' /proc/cpuinfo | sort | uniq -c
      dmesg | grep -iE 'kvm|svm'; } 2>&1 | tee /ctl/out
    finish 125
fi
dmesg | grep -iE 'kvm|svm'
# One idle VM for the life of this guest: see tests/nested/hold_kvm_keys.c.
/bin/hold_kvm_keys &
log "/dev/kvm ready at uptime $(cut -d' ' -f1 /proc/uptime)s"

if [ "$CHROOT" = 1 ]; then
    root=/newroot
    mkdir -p $root
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot $root || finish 125
    # writable scratch places first, so that shares below them stay visible
    for d in /tmp /var/tmp /run /root; do mount -t tmpfs tmp "$root$d"; done
    chmod 1777 $root/tmp $root/var/tmp
else
    root=""
    mkdir -p /host
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /host || finish 125
fi
i=0
while read -r dir; do
    mkdir -p "$root$dir" 2>/dev/null
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap "share$i" "$root$dir" || { log "cannot mount $dir"; finish 125; }
    i=$((i + 1))
done < /ctl/shares
if [ "$CHROOT" = 1 ]; then
    mount -t proc proc $root/proc
    mount -t sysfs sys $root/sys
    mount -t devtmpfs dev $root/dev
    mkdir -p $root/dev/pts $root/dev/shm 2>/dev/null
    mount -t devpts devpts $root/dev/pts 2>/dev/null
    mount -t tmpfs shm $root/dev/shm 2>/dev/null
    mkdir -p $root/tmp/kvmbus-nested
    mount --bind /ctl $root/tmp/kvmbus-nested
    sh=/bin/sh
    [ -x $root/bin/bash ] && sh=/bin/bash
    log "running the command at uptime $(cut -d' ' -f1 /proc/uptime)s"
    HOME=/root chroot $root $sh /tmp/kvmbus-nested/cmd.sh < /dev/null > /ctl/out 2>&1
    status=$?
else
    mkdir -p /tmp /root
    log "running the command at uptime $(cut -d' ' -f1 /proc/uptime)s"
    HOME=/root sh /ctl/cmd.sh < /dev/null > /ctl/out 2>&1
    status=$?
fi
log "command finished at uptime $(cut -d' ' -f1 /proc/uptime)s"
finish $status
EOF
}

# The cache key covers everything that goes into the image.
key=$( {
    echo "$kver"; sha256sum "$busybox" | cut -d' ' -f1; init_script; echo "$mods"
    sha256sum "$here/hold_kvm_keys.c"
    for m in $mods; do sha256sum "$moddir/$m"; done
    for a in ${adds[@]+"${adds[@]}"}; do
        src=${a%%=*}; [ -e "$src" ] || die "--add: no such file: $src"
        echo "add $a"; find "$src" -type f -print0 | sort -z | xargs -0r sha256sum
    done
} | sha256sum | cut -c1-16)
initrd=$cache/initramfs-$kver-$key.cpio.gz

if [ $rebuild = 1 ] || [ ! -s "$initrd" ]; then
    echo "run.sh: building $initrd" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    r=$tmp/root
    mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,root,modules,ctl}
    cp "$busybox" "$r/bin/busybox"
    command -v gcc >/dev/null || need_pkg gcc "to build hold_kvm_keys"
    gcc -static -O2 -Wall -Wextra -Werror -o "$r/bin/hold_kvm_keys" "$here/hold_kvm_keys.c" \
        || die "cannot build hold_kvm_keys (a static C program: needs libc6-dev)"
    init_script > "$r/init"
    chmod 755 "$r/init"
    : > "$r/modules/order"
    for m in $mods; do
        mkdir -p "$r/modules/$(dirname "${m%.*}")"
        case "$m" in # busybox insmod cannot decompress: store them plain
            *.ko) cp "$moddir/$m" "$r/modules/$m"; out=$m ;;
            *.ko.xz) out=${m%.xz}; command -v xz >/dev/null || need_pkg xz-utils "to decompress modules"
                     xz -dc "$moddir/$m" > "$r/modules/$out" ;;
            *.ko.zst) out=${m%.zst}; command -v zstd >/dev/null || need_pkg zstd "to decompress modules"
                      zstd -qdc "$moddir/$m" > "$r/modules/$out" ;;
            *.ko.gz) out=${m%.gz}; gzip -dc "$moddir/$m" > "$r/modules/$out" ;;
            *) die "unknown module format: $m" ;;
        esac
        echo "$out" >> "$r/modules/order"
    done
    for a in ${adds[@]+"${adds[@]}"}; do
        src=${a%%=*}; dst=${a#*=}; [ "$dst" = "$a" ] && dst=$(realpath "$src")
        mkdir -p "$r$(dirname "$dst")"
        cp -a "$src" "$r$dst"
    done
    (cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp.$$"
    mv "$initrd.tmp.$$" "$initrd"
    rm -rf "$tmp"
    trap - EXIT
    # keep the cache small: drop images of other keys
    find "$cache" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -path "$initrd" -mmin +60 -delete 2>/dev/null || true
fi

# ------------------------------------------------------------------- run it
ctl=$(mktemp -d /tmp/kvmbus-nested.XXXXXX)
qemu_pid=""
tail_pid=""
cleanup() {
    [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
    if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; fi
    rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cwd=$repo
for s in "${shares[@]}"; do
    case "$PWD/" in "$s"/*) cwd=$PWD; break ;; esac
done
q() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }
{
    echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "export HOME=/root KVMBUS_NESTED=1"
    for e in ${envs[@]+"${envs[@]}"}; do echo "export $(q "$e")"; done
    [ $chroot_mode = 1 ] || echo "export PATH=\"\$PATH:/bin\""
    echo "cd $(q "$cwd") || exit 125"
    printf '%s\n' "$cmd"
} > "$ctl/cmd.sh"
printf '%s\n' "${shares[@]}" > "$ctl/shares"
{ echo "CHROOT=$chroot_mode"; echo "KVM_AMD_ARGS=$(q "$kvm_amd_args")"; } > "$ctl/config"
: > "$ctl/out"

qemu_args=(
    -nodefaults -no-user-config -nographic -no-reboot
    -bios /usr/share/qemu/qboot.rom -accel tcg,thread=multi -cpu "$cpu" -smp "$smp" -m "$mem"
    -kernel "$kernel" -initrd "$initrd"
    -append "console=ttyS0 quiet loglevel=4 panic=-1 oops=panic $append"
    -serial "file:$ctl/console"
    -virtfs "local,path=$ctl,mount_tag=kvmbus_ctl,security_model=none"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
)
[ -n "$monitor" ] && qemu_args+=(-monitor "unix:$monitor,server=on,wait=off")
i=0
for s in "${shares[@]}"; do
    qemu_args+=(-virtfs "local,path=$s,mount_tag=share$i,security_model=none,multidevs=remap")
    i=$((i + 1))
done

start=$(date +%s%N)
qemu-system-x86_64 "${qemu_args[@]}" </dev/null >"$ctl/qemu.log" 2>&1 &
qemu_pid=$!
tail -s 0.2 -n +1 -f --pid=$qemu_pid "$ctl/out" &
tail_pid=$!
[ $verbose = 1 ] && { sleep 0.2; tail -s 0.2 -n +1 -f --pid=$qemu_pid "$ctl/console" >&2 & }

timed_out=0
deadline=$(( $(date +%s) + timeout ))
while kill -0 $qemu_pid 2>/dev/null; do
    if [ "$(date +%s)" -ge $deadline ]; then
        timed_out=1
        kill $qemu_pid 2>/dev/null
        break
    fi
    sleep 0.2
done
wait $qemu_pid 2>/dev/null || true
qemu_pid=""
wait $tail_pid 2>/dev/null || true
tail_pid=""
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
elapsed=$((elapsed / 1000)).$(printf %03d $((elapsed % 1000)))

if [ $timed_out = 1 ]; then
    echo "run.sh: timed out after ${timeout}s; last lines of the guest console:" >&2
    tail -n 20 "$ctl/console" >&2 2>/dev/null
    exit 124
fi
status=$(cat "$ctl/rc" 2>/dev/null || true)
if ! [[ "$status" =~ ^[0-9]+$ ]]; then
    echo "run.sh: the VM stopped without reporting a status; qemu said:" >&2
    cat "$ctl/qemu.log" >&2
    echo "run.sh: last lines of the guest console:" >&2
    tail -n 30 "$ctl/console" >&2 2>/dev/null
    exit 125
fi
[ $verbose = 1 ] && echo "run.sh: status $status after ${elapsed}s" >&2
exit "$status"
