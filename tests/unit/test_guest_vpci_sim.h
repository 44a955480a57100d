/* SPDX-License-Identifier: MIT */
/*
 * A simulated VMBus host for the host tests of guest/channel.c and
 * guest/vpci_transport.c: the stubs of the guest services they call
 * (page_alloc, HvSignalEvent, GPADL and OPENCHANNEL messages) and the
 * host side of the two rings, written byte by byte from facts §6 without
 * guest/ring.c.  The host acts when the guest idles (guest_channel's
 * idle hook): it reads every packet the guest wrote, and answers each
 * request that asked for a completion after `delay` idle rounds --
 * optionally preceded by host-initiated in-band messages and a
 * completion with a wrong transaction id.
 *
 * Included by exactly one test file each, after cmocka.h and the guest
 * .c files under test.
 */
#ifndef TEST_GUEST_VPCI_SIM_H
#define TEST_GUEST_VPCI_SIM_H

#define SIM_RING_PAGES   4u
#define SIM_DATA         (SIM_RING_PAGES * 4096u - 4096u)
#define SIM_MAX_SEEN     64u
#define SIM_MAX_JOBS     16u
#define SIM_CONN_ID      0x2003u
#define SIM_RELID        3u
#define SIM_GPADL        0xE1E10u
/* The type word of the host-initiated messages the sim sends: none of
 * VPCI's, so pci_front logs and drops them. */
#define SIM_HOST_MSG     0x53494D00u     /* "SIM": no VPCI type */

enum { H_WRITE = 0, H_READ = 4, H_MASK = 8, H_PENDING = 12, H_FEATURES = 64 };

struct sim_packet {
	uint16_t type, flags;
	uint64_t trans_id;
	uint32_t len;                 /* payload bytes (padded to 8) */
	uint8_t data[256];
};

struct sim_job {
	uint64_t trans_id;
	uint32_t request_type;
	unsigned countdown;
};

struct sim {
	/* Stub behaviour. */
	bool alloc_fail;
	uint32_t gpadl_status, open_status;
	uint16_t signal_status;
	/* Host behaviour. */
	bool host_reads;              /* drain the guest->host ring on idle */
	unsigned delay;               /* idle rounds before answering */
	unsigned pre_msgs;            /* in-band messages before each answer */
	bool stray_first;             /* a wrong-id completion first */
	bool silent;                  /* never complete */
	uint32_t status;              /* completion status word */
	/* Optional: the status for a request type (overrides status), and
	 * a hook run for every packet the guest wrote. */
	uint32_t (*status_for)(uint32_t request_type);
	void (*on_packet)(const struct sim_packet *p);

	/* Records. */
	void *ring;                   /* what page_alloc handed out */
	unsigned alloc_pages;
	uint32_t gpadl_count, gpadl_relid;
	bool gpadl_contiguous;
	uint32_t open_relid, open_gpadl, open_vp, open_downstream;
	unsigned gpadl_creates, opens, closes, teardowns;
	unsigned signals, idle_calls;
	uint32_t last_signal_conn;
	uint32_t max_pending_seen;    /* guest's pending_send_sz while idle */
	struct sim_packet seen[SIM_MAX_SEEN];
	unsigned nseen;
	struct sim_job jobs[SIM_MAX_JOBS];
	unsigned njobs;
	unsigned host_msgs_sent;
	unsigned answered;
};

static struct sim sim;

/* ---- Stubs of the guest services channel.c calls ----------------------- */

void *page_alloc(unsigned count)
{
	if (sim.alloc_fail)
		return NULL;
	sim.ring = aligned_alloc(4096, (size_t)count * 4096);
	assert_non_null(sim.ring);
	memset(sim.ring, 0, (size_t)count * 4096);
	sim.alloc_pages = count;
	return sim.ring;
}

uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag)
{
	assert_int_equal(flag, 0);
	sim.signals++;
	sim.last_signal_conn = connection_id;
	return sim.signal_status;
}

bool vmbus_gpadl_create(struct vmbus_client *c, uint32_t relid,
			const uint64_t *pfns, uint32_t count, uint32_t *handle,
			unsigned *messages, uint32_t *status)
{
	(void)c;
	sim.gpadl_creates++;
	sim.gpadl_relid = relid;
	sim.gpadl_count = count;
	sim.gpadl_contiguous = true;
	for (uint32_t i = 0; i < count; i++)
		if (pfns[i] != (uint64_t)(uintptr_t)sim.ring / 4096 + i)
			sim.gpadl_contiguous = false;
	*handle = SIM_GPADL;
	*messages = 1;
	*status = sim.gpadl_status;
	return sim.gpadl_status == 0;
}

bool vmbus_open_channel(struct vmbus_client *c, uint32_t relid,
			uint32_t gpadl, uint32_t target_vp,
			uint32_t downstream_pages, uint32_t *status)
{
	(void)c;
	sim.opens++;
	sim.open_relid = relid;
	sim.open_gpadl = gpadl;
	sim.open_vp = target_vp;
	sim.open_downstream = downstream_pages;
	*status = sim.open_status;
	return sim.open_status == 0;
}

bool vmbus_close_channel(struct vmbus_client *c, uint32_t relid)
{
	(void)c;
	assert_int_equal(relid, SIM_RELID);
	sim.closes++;
	return true;
}

bool vmbus_gpadl_teardown(struct vmbus_client *c, uint32_t relid,
			  uint32_t handle)
{
	(void)c;
	assert_int_equal(relid, SIM_RELID);
	assert_int_equal(handle, SIM_GPADL);
	sim.teardowns++;
	return true;
}

/* ---- The host's view of the rings ---------------------------------------- */

static inline uint8_t *sim_out(void)
{
	return sim.ring;
}

static inline uint8_t *sim_in(void)
{
	return (uint8_t *)sim.ring + SIM_RING_PAGES * 4096u;
}

static inline uint32_t sim_get32(const uint8_t *ring, unsigned off)
{
	uint32_t v;

	memcpy(&v, ring + off, 4);
	return v;
}

static inline void sim_put32(uint8_t *ring, unsigned off, uint32_t v)
{
	memcpy(ring + off, &v, 4);
}

static inline uint8_t *sim_byte(uint8_t *ring, uint32_t off)
{
	return ring + 4096 + off % SIM_DATA;
}

static inline uint64_t sim_get64(uint8_t *ring, uint32_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | *sim_byte(ring, off + (uint32_t)i);
	return v;
}

static inline void sim_put64(uint8_t *ring, uint32_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*sim_byte(ring, off + (uint32_t)i) = (uint8_t)(v >> (8 * i));
}

static inline uint32_t sim_used(uint8_t *ring)
{
	return (sim_get32(ring, H_WRITE) + SIM_DATA - sim_get32(ring, H_READ)) %
	       SIM_DATA;
}

/* Host -> guest packet (facts §6.3).  Returns false if it does not fit. */
static inline bool sim_write_packet(uint16_t type, uint64_t trans_id,
				    const void *payload, uint32_t len)
{
	uint8_t *in = sim_in();
	uint32_t len8 = (16 + len + 7) / 8, total = len8 * 8 + 8;
	uint32_t w = sim_get32(in, H_WRITE);

	if (total >= SIM_DATA - sim_used(in))
		return false;
	sim_put64(in, w, (uint64_t)type | 2ull << 16 | (uint64_t)len8 << 32);
	sim_put64(in, w + 8, trans_id);
	for (uint32_t i = 16; i < len8 * 8; i++)
		*sim_byte(in, w + i) = i - 16 < len ?
				       ((const uint8_t *)payload)[i - 16] : 0;
	sim_put64(in, w + len8 * 8, (uint64_t)w << 32);
	sim_put32(in, H_WRITE, (w + total) % SIM_DATA);
	return true;
}

/* A host-initiated in-band message: {SIM_HOST_MSG, seq}. */
static inline void sim_send_host_msg(void)
{
	uint32_t msg[2] = { SIM_HOST_MSG, sim.host_msgs_sent };

	assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, msg,
				     sizeof(msg)));
	sim.host_msgs_sent++;
}

/* The completion: {status, request type, low 32 bits of the id}. */
static inline void sim_complete(uint64_t trans_id, uint32_t request_type)
{
	uint32_t comp[3] = { sim.status_for ? sim.status_for(request_type)
					    : sim.status,
			     request_type, (uint32_t)trans_id };

	assert_true(sim_write_packet(VMBUS_PKT_COMP, trans_id, comp,
				     sizeof(comp)));
	sim.answered++;
}

/* Read every packet the guest has written. */
static inline void sim_drain(void)
{
	uint8_t *out = sim_out();

	while (sim_used(out)) {
		uint32_t r = sim_get32(out, H_READ);
		uint64_t d = sim_get64(out, r);
		uint32_t len8 = (uint16_t)(d >> 32);
		struct sim_packet *p = &sim.seen[sim.nseen % SIM_MAX_SEEN];

		assert_int_equal((uint16_t)(d >> 16), 2);
		assert_int_equal(sim_get64(out, r + len8 * 8), (uint64_t)r << 32);
		p->type = (uint16_t)d;
		p->flags = (uint16_t)(d >> 48);
		p->trans_id = sim_get64(out, r + 8);
		p->len = len8 * 8 - 16;
		for (uint32_t i = 0; i < p->len && i < sizeof(p->data); i++)
			p->data[i] = *sim_byte(out, r + 16 + i);
		sim.nseen++;
		if (sim.on_packet)
			sim.on_packet(p);
		if ((p->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED) &&
		    sim.njobs < SIM_MAX_JOBS) {
			struct sim_job *j = &sim.jobs[sim.njobs++];
			uint32_t type;

			memcpy(&type, p->data, 4);
			j->trans_id = p->trans_id;
			j->request_type = type;
			j->countdown = sim.delay;
		}
		sim_put32(out, H_READ, (r + len8 * 8 + 8) % SIM_DATA);
	}
}

/* Answer the jobs whose time has come, oldest first. */
static inline void sim_answer(void)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < sim.njobs; i++) {
		struct sim_job *j = &sim.jobs[i];

		if (j->countdown) {
			j->countdown--;
			sim.jobs[kept++] = *j;
			continue;
		}
		for (unsigned k = 0; k < sim.pre_msgs; k++)
			sim_send_host_msg();
		if (sim.stray_first) {
			uint32_t comp[1] = { 0xBADu };

			assert_true(sim_write_packet(VMBUS_PKT_COMP,
						     j->trans_id ^ 0x5A5Au,
						     comp, sizeof(comp)));
		}
		if (!sim.silent)
			sim_complete(j->trans_id, j->request_type);
	}
	sim.njobs = kept;
}

static inline void sim_idle(void *ctx)
{
	uint32_t pending;

	(void)ctx;
	sim.idle_calls++;
	pending = sim_get32(sim_out(), H_PENDING);
	if (pending > sim.max_pending_seen)
		sim.max_pending_seen = pending;
	if (sim.host_reads)
		sim_drain();
	sim_answer();
}

/* Reset the sim and open `ch` over it with 4 + 4 pages, idle = the host. */
static inline void sim_open(struct guest_channel *ch)
{
	struct vmbus_offer_info offer;
	uint32_t status = ~0u;

	memset(&sim, 0, sizeof(sim));
	sim.host_reads = true;
	memset(&offer, 0, sizeof(offer));
	offer.relid = SIM_RELID;
	offer.connection_id = SIM_CONN_ID;
	memset(ch, 0xA5, sizeof(*ch));    /* open must not rely on zeroes */
	assert_true(guest_channel_open(ch, NULL, &offer, SIM_RING_PAGES,
				       SIM_RING_PAGES, 0, &status));
	assert_int_equal(status, 0);
	ch->idle = sim_idle;
}

static inline void sim_free(void)
{
	free(sim.ring);
	sim.ring = NULL;
}

#endif
