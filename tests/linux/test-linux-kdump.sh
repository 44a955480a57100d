#!/usr/bin/env bash
# The kdump MMIO conflict reproduced by Linux 6.1's own code: boot the
# bzImage under `kvmbus run --boot kdump` (test-linux.sh's direct, nested
# or SKIP logic; --stop-on 'Kernel panic' ends the crash kernel's boot)
# and judge the run with check-kdump.sh.
#
# Usage: tests/linux/test-linux-kdump.sh [BUILD_DIR]   (make test-linux-kdump)
# The test-linux.sh variables apply, except that the image is always the
# bzImage (the EFI hand-off needs it) and the logs go to
# BUILD_DIR/tests/linux-kdump unless KVMBUS_LINUX_OUT says otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
export KVMBUS_LINUX_IMAGE=bzImage
export KVMBUS_LINUX_ARGS="--boot kdump"
export KVMBUS_LINUX_OUT=${KVMBUS_LINUX_OUT:-$build/tests/linux-kdump}
export KVMBUS_LINUX_CHECK=$here/check-kdump.sh
exec "$here/test-linux.sh" "$build"
