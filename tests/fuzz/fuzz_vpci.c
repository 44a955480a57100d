// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the VPCI protocol (vpci_handle_packet, the pure entry
 * point) on the default bus (test64 at slot 0, test32 at slot 1), over a
 * registry that already holds the synthvid VRAM.  The input is a
 * sequence of records:
 *
 *   op & 3  0-1  a packet: sel (packet type, flags), message type (one of
 *                the protocol's or any), length, bytes; D0 entry windows,
 *                versions and slots mostly picked the way a guest would
 *           2    config window / BAR MMIO through the bus's mmio_bus
 *           3    host: eject, full ring, gone channel, flush, channel
 *                reset, other owners claiming and releasing ranges
 *
 * Every packet is traced (vpci_describe) on the way in and every reply
 * on the way out, as with --trace.  After each record the registry must
 * be consistent and every MMIO handler backed by its owner's claim; at
 * the end the destroyed bus must have left nothing behind.
 */
#include "tests/fuzz/fuzz_vpci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fv v;
	struct fz f = fz_of(data, size);
	unsigned records = 0;

	fz_process_setup();
	fv_init(&v);
	while (fz_more(&f) && records++ < 512) {
		uint8_t op = fz_u8(&f);

		switch (op & 3) {
		case 0:
		case 1:
			fv_fuzz_packet(&v, &f);
			break;
		case 2:
			fz_mmio(&f, &v.mmio, fv_mmio_target(&v, &f));
			break;
		default:
			fv_host_action(&v, &f);
			break;
		}
		fv_check(&v);
	}
	fv_fini(&v);
	return 0;
}
