// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the VMBus control plane.  The input is a sequence of
 * records, each one guest (or host) action on a vmbus_host with a real
 * SynIC over 1 MiB of guest RAM:
 *
 *   op & 0x0F  0-5  post a control message through the bus ops:
 *                   sel, len, len bytes (the message as the guest wrote it)
 *              6    the same through HvPostMessage (input block in RAM)
 *              7    HvSignalEvent (bus ops or the fast hypercall)
 *              8    a SynIC / partition MSR write
 *              9    the guest takes its messages (SIMP slots + EOM)
 *              10   host: rescind a service
 *              11   host: VM reset (vmbus_host_reset)
 *              12   host: hot-add an echo service
 *              13   the guest scribbles on one of its own SIMP slots
 *              14+  like 0-5
 *   op & 0x80  do not take the host's messages after this record, so
 *              they pile up in the SynIC queues.
 *
 * Services: echo (relid 1), a second echo (relid 2) and a VPCI bus
 * (relid 3, the real service glue).  After every record the GPADL table
 * and channel states are checked; at the end everything is destroyed,
 * so LeakSanitizer sees what the host forgot to free.
 */
#include "tests/fuzz/fuzz_guest.h"

#include "vmbus/vpci.h"

static struct fg guest;

struct world {
	struct fg *g;
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	struct vpci_bus *vpci;
	unsigned hot_added;
};

static struct vmbus_service echo_service(uint8_t tag)
{
	struct vmbus_service s = {
		.name = "echo",
		.class_id = VMBUS_CLASS_ECHO,
		.instance_id = VMBUS_ECHO_INSTANCE,
		.ops = &vmbus_echo_ops,
	};

	s.instance_id.b[15] = tag;
	return s;
}

static void world_init(struct world *w)
{
	struct vpci_bus_config c;
	struct vmbus_service e1 = echo_service(1), e2 = echo_service(2);
	char err[128];

	memset(w, 0, sizeof(*w));
	w->g = &guest;
	fg_init(w->g);
	/* MSR writes and GPADLs may put anything on a SIMP page. */
	w->g->strict_slots = false;
	fz_memmap(&w->map);
	mmio_registry_init(&w->reg, &w->map);
	vpci_bus_config_default(&c, 0, FG_NR_VPS);
	w->vpci = vpci_bus_create(&c, &w->reg, &w->mmio, err, sizeof(err));
	FZ_CHECK(w->vpci);
	FZ_CHECK(vmbus_register_service(w->g->host, &e1) == 0);
	FZ_CHECK(vmbus_register_service(w->g->host, &e2) == 1);
	FZ_CHECK(vmbus_register_service(w->g->host,
					vpci_bus_service(w->vpci)) == 2);
}

static void world_fini(struct world *w)
{
	fg_fini(w->g);
	vpci_bus_destroy(w->vpci);
	/* Closing the bus released its window and BARs. */
	FZ_CHECK(w->mmio.n == 0);
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++)
		FZ_CHECK(!w->reg.claim[i].in_use);
}

static uint32_t pick_conn(struct fz *f, uint8_t sel)
{
	switch ((sel >> 1) & 3) {
	case 0:
		return VMBUS_MESSAGE_CONNECTION_ID;
	case 1:
		return VMBUS_MESSAGE_CONNECTION_ID_4;
	case 2:
		return VMBUS_CHANNEL_CONN_BASE + (fz_u8(f) & 0xF);
	default:
		return fz_u32(f);
	}
}

static void do_post(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f), len = fz_u8(f);
	uint8_t msg[256];
	uint32_t conn = pick_conn(f, sel);
	uint32_t type = sel & 0x10 ? fz_u32(f) : HV_MESSAGE_TYPE_VMBUS;

	fz_bytes(f, msg, len);
	/* A payload longer than 240 bytes cannot come through the hypercall,
	 * but the bus must refuse it on its own. */
	vmbus_hv_bus_ops.post_message(w->g->host, sel & 1, conn, type, msg, len);
}

static void do_post_hypercall(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f), len = fz_u8(f);
	uint8_t msg[256];
	uint32_t conn = pick_conn(f, sel);
	uint32_t type = sel & 0x10 ? fz_u32(f) : HV_MESSAGE_TYPE_VMBUS;
	uint64_t control = HV_CALL_POST_MESSAGE;
	uint32_t reserved = 0;

	if (sel & 0x20)
		control ^= fz_u64(f);
	if (sel & 0x40)
		reserved = fz_u32(f);
	fz_bytes(f, msg, len);
	fg_post_hypercall(w->g, sel & 1, control, conn, type, reserved, msg,
			  len > FG_MSG_MAX ? FG_MSG_MAX : len);
	/* payload_size itself may lie: the block has 240 bytes at most. */
	if (sel & 0x80) {
		uint32_t size = len;

		memcpy(w->g->ram + FG_INPUT_GPA +
		       offsetof(struct hv_post_message_input, payload_size),
		       &size, sizeof(size));
		hv_hypercall(&w->g->hv, sel & 1, control, FG_INPUT_GPA, 0);
	}
}

static void do_signal(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	uint32_t conn = VMBUS_CHANNEL_CONN_BASE + (fz_u8(f) & 0x1F);
	uint16_t flag = sel & 0x40 ? fz_u16(f) : 0;

	if (sel & 0x80)
		conn = fz_u32(f);
	if (sel & 0x20) {
		uint64_t control = HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST;
		uint64_t rdx = (uint64_t)conn | (uint64_t)flag << 32;

		hv_hypercall(&w->g->hv, sel & 1, control, rdx, 0);
	} else {
		vmbus_hv_bus_ops.signal_event(w->g->host, sel & 1, conn, flag);
	}
}

static void do_msr(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	unsigned vp = sel & 0x80 ? FG_NR_VPS : (sel & 1);   /* sometimes none */
	uint32_t msr;
	uint64_t val;

	switch ((sel >> 1) & 7) {
	case 0:
	case 1:
		msr = HV_MSR_SINT0 + (fz_u8(f) & 0xF);
		/* vector, masked, auto-EOI, sometimes reserved bits */
		val = fz_u8(f) | (uint64_t)(fz_u8(f) & 7) << 16;
		if (sel & 0x40)
			val |= (uint64_t)fz_u32(f) << 20;
		break;
	case 2:
		msr = sel & 0x10 ? HV_MSR_SIEFP : HV_MSR_SIMP;
		val = (uint64_t)fz_u16(f) << 12 | (fz_u8(f) & 1);
		break;
	case 3:
		msr = HV_MSR_SCONTROL;
		val = fz_u8(f) & (sel & 0x40 ? 0xFF : 1);
		break;
	case 4:
		msr = HV_MSR_EOM;
		val = fz_u8(f);
		break;
	case 5:
		msr = sel & 0x10 ? HV_MSR_HYPERCALL : HV_MSR_GUEST_OS_ID;
		val = fz_u64(f);
		break;
	case 6:
		msr = HV_MSR_VP_ASSIST_PAGE;
		val = (uint64_t)fz_u16(f) << 12 | (fz_u8(f) & 1);
		break;
	default:
		msr = HV_MSR_RANGE_FIRST + fz_u16(f) % HV_MSR_RANGE_COUNT;
		val = fz_u64(f);
		break;
	}
	if (sel & 0x20) {
		uint64_t v;

		hv_rdmsr(&w->g->hv, vp, msr, &v);
	} else {
		hv_wrmsr(&w->g->hv, vp, msr, val);
	}
}

static void do_scribble(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	unsigned vp = sel & 1, sint = (sel >> 1) & 0xF;
	uint64_t simp = w->g->hv.synic.vp[vp].simp;
	uint8_t *slot;
	struct hv_message_header h;

	if (!(simp & HV_SYNIC_PAGE_ENABLE))
		return;
	slot = guest_mem_ptr(&w->g->mem, (simp & HV_PAGE_GPN_MASK) +
			     HV_SIMP_SLOT_OFFSET(sint), sizeof(struct hv_message));
	FZ_CHECK(slot);
	fz_bytes(f, &h, sizeof(h));
	/* A slot the host filled keeps being the host's message. */
	if (h.message_type != HV_MESSAGE_TYPE_NONE)
		w->g->scribbled[vp] |= (uint16_t)(1u << sint);
	else
		w->g->scribbled[vp] &= (uint16_t)~(1u << sint);
	memcpy(slot, &h, sizeof(h));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fz f = fz_of(data, size);
	unsigned records = 0;

	fz_process_setup();
	world_init(&w);
	while (fz_more(&f) && records++ < 512) {
		uint8_t op = fz_u8(&f);

		switch (op & 0x0F) {
		case 6:
			do_post_hypercall(&w, &f);
			break;
		case 7:
			do_signal(&w, &f);
			break;
		case 8:
			do_msr(&w, &f);
			break;
		case 9:
			fg_drain(w.g);
			break;
		case 10:
			vmbus_rescind(w.g->host, fz_u8(&f) % (VMBUS_HOST_MAX_SERVICES + 1));
			break;
		case 11:
			vmbus_host_reset(w.g->host);
			break;
		case 12:
			if (w.g->host->nr_chan < VMBUS_HOST_MAX_SERVICES) {
				struct vmbus_service s =
					echo_service((uint8_t)(16 + w.hot_added++));

				FZ_CHECK(vmbus_register_service(w.g->host, &s) >= 0);
			}
			break;
		case 13:
			do_scribble(&w, &f);
			break;
		default:
			do_post(&w, &f);
			break;
		}
		if (!(op & 0x80))
			fg_drain(w.g);
		fg_check_host(w.g);
	}
	world_fini(&w);
	return 0;
}
