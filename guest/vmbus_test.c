// SPDX-License-Identifier: MIT
/*
 * VMBus end to end against kvmbus, in the order Linux's hv_vmbus and a
 * channel driver would do it (facts §5.4).
 */
#include "guest/vmbus_test.h"

#include "guest/echo.h"
#include "guest/gpadl.h"
#include "guest/ring.h"
#include "guest/vmbus_client.h"
#include "guest/lib/alloc.h"
#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/percpu.h"
#include "guest/lib/report.h"
#include "vmm/abi/hv_abi.h"

/* Small rings (4 pages each way, 12 KiB of data) so traffic wraps often. */
#define RING_PAGES_EACH_WAY   4u
#define RING_BYTES            (RING_PAGES_EACH_WAY * PAGE_SIZE)
/* Larger than a GPADL_HEADER (26 PFNs) + one GPADL_BODY (28): 3 messages. */
#define BIG_GPADL_PAGES       60u
#define ECHO_PACKETS          1024u
/* Up to 24 packets in flight: ~25 KiB on average against two 12 KiB
 * rings, so the host blocks on a full inbound ring and the guest on a
 * full outbound ring, and both flow-control signals (facts §6.5) happen
 * (tests/unit/test_guest_echo.c measures this against a model host). */
#define ECHO_WINDOW           24u
#define ECHO_IDLE_LIMIT       200000u

/* Newest first, one above what kvmbus serves, to prove the walk. */
static const uint32_t versions_to_try[] = {
	VMBUS_VERSION(6, 0),
	VMBUS_VERSION_WIN10_V5_3,
	VMBUS_VERSION_WIN10_V5_2,
	VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5,
	VMBUS_VERSION_WIN10_V4_1,
	VMBUS_VERSION_WIN10,
	VMBUS_VERSION_WIN8_1,
};
#define NR_VERSIONS (sizeof(versions_to_try) / sizeof(versions_to_try[0]))

static struct vmbus_client client;

static const char *version_result_name(enum vmbus_version_result r)
{
	switch (r) {
	case VMBUS_VERSION_ACCEPTED:
		return "accepted";
	case VMBUS_VERSION_REFUSED:
		return "refused";
	case VMBUS_VERSION_POST_FAILED:
		return "post failed";
	default:
		return "no reply";
	}
}

static bool connect_vmbus(void)
{
	struct vmbus_version_attempt attempts[NR_VERSIONS];
	unsigned n = vmbus_connect(&client, versions_to_try, NR_VERSIONS,
				   attempts);

	for (unsigned i = 0; i < n; i++)
		report_info("INITIATE_CONTACT %u.%u: %s (post status 0x%x, state %u, msg conn id %u)",
			    attempts[i].version >> 16,
			    attempts[i].version & 0xFFFF,
			    version_result_name(attempts[i].result),
			    attempts[i].post_status,
			    attempts[i].connection_state,
			    attempts[i].msg_conn_id);
	report(n > 0 && attempts[0].result == VMBUS_VERSION_REFUSED,
	       "VMBus 6.0 refused (version_supported = 0)");
	return report(client.version == VMBUS_VERSION_WIN10_V5_3,
		      "VMBus 5.3 accepted (version 0x%x, message connection id %u)",
		      client.version, client.msg_conn_id);
}

/* What the test kernel calls the classes it knows (facts §10). */
static const char *class_name(const struct vmbus_guid *g)
{
	static const struct vmbus_guid echo = VMBUS_CLASS_ECHO;
	static const struct vmbus_guid synthvid = VMBUS_CLASS_SYNTHVID;
	static const struct vmbus_guid pci = VMBUS_CLASS_PCI;

	if (vmbus_guid_equal(g, &echo))
		return "echo";
	if (vmbus_guid_equal(g, &synthvid))
		return "synthetic video";
	if (vmbus_guid_equal(g, &pci))
		return "PCI pass-through";
	return "unknown class: reported only";
}

static void collect_offers(void)
{
	static const struct vmbus_guid echo_class = VMBUS_CLASS_ECHO;
	bool ok = vmbus_request_offers(&client);

	for (unsigned i = 0; i < client.nr_offers; i++) {
		const struct vmbus_offer_info *o = &client.offers[i];
		char class_id[37], instance[37];

		vmbus_guid_format(class_id, &o->class_id);
		vmbus_guid_format(instance, &o->instance_id);
		report_info("offer relid %u conn 0x%x class %s instance %s mmio %u MiB (%s)",
			    o->relid, o->connection_id, class_id, instance,
			    o->mmio_megabytes, class_name(&o->class_id));
	}
	report(ok && client.nr_offers > 0 && client.offers_dropped == 0 &&
	       client.bad_messages == 0,
	       "offers received (%u) and ALLOFFERS_DELIVERED", client.nr_offers);

	bool echo = vmbus_find_offer(&client, &echo_class) != NULL;

	report(echo, "echo channel offered%s", echo ? "" : " (missing)");
}

static void pfns_of(void *base, uint32_t pages, uint64_t *pfns)
{
	for (uint32_t i = 0; i < pages; i++)
		pfns[i] = virt_to_pfn((uint8_t *)base + i * PAGE_SIZE);
}

/* A GPADL that needs a header and two bodies, created and torn down, to
 * prove the host reassembles multi-message GPADLs (facts §5.3). */
static void test_big_gpadl(uint32_t relid)
{
	static uint64_t pfns[BIG_GPADL_PAGES];
	void *pages = page_alloc(BIG_GPADL_PAGES);
	uint32_t handle = 0, status = ~0u;
	unsigned messages = 0;
	bool created = false;

	if (pages) {
		pfns_of(pages, BIG_GPADL_PAGES, pfns);
		created = vmbus_gpadl_create(&client, relid, pfns,
					     BIG_GPADL_PAGES, &handle,
					     &messages, &status);
	}
	report(created && messages == gpadl_message_count(BIG_GPADL_PAGES) &&
	       messages > 1,
	       "multi-message GPADL created (%u pages in %u messages, handle 0x%x, status 0x%x)",
	       BIG_GPADL_PAGES, messages, handle, status);
	report(created && vmbus_gpadl_teardown(&client, relid, handle),
	       "multi-message GPADL torn down");
}

struct channel_signal {
	uint32_t connection_id;
};

static bool signal_host(void *ctx)
{
	const struct channel_signal *s = ctx;

	return hv_signal_event(s->connection_id, 0) == HV_STATUS_SUCCESS;
}

static void relax(void *ctx)
{
	(void)ctx;
	cpu_relax();
}

static void run_echo(const struct vmbus_offer_info *echo,
		     struct guest_ring *out, struct guest_ring *in)
{
	struct channel_signal sig = { echo->connection_id };
	struct echo_config cfg = {
		.packets = ECHO_PACKETS,
		.window = ECHO_WINDOW,
		.idle_limit = ECHO_IDLE_LIMIT,
		.signal_host = signal_host,
		.relax = relax,
		.ctx = &sig,
	};
	struct echo_stats st;
	uint64_t t0 = hv_time_ref_count();
	bool ok = echo_run(&cfg, out, in, &st);
	uint64_t t1 = hv_time_ref_count();

	if (!ok)
		report_info("echo: sent %u received %u verified %u; bad length %u data %u trans id %u type %u (first at packet %u)%s%s",
			    st.sent, st.received, st.verified, st.bad_length,
			    st.bad_data, st.bad_trans_id, st.bad_type,
			    st.first_bad_seq, st.malformed ? ", inbound ring malformed" : "",
			    st.timed_out ? ", timed out" : "");
	report(ok, "%u packets of %u..%u bytes echoed byte-exact (%lu payload bytes)",
	       st.verified, ECHO_MIN_SIZE, ECHO_MAX_SIZE,
	       (unsigned long)st.payload_bytes);
	report(out->wrapped_packets > 0 && in->wrapped_packets > 0,
	       "packets wrapped the ring (outbound %u, inbound %u; index wraps %u/%u)",
	       out->wrapped_packets, in->wrapped_packets, out->index_wraps,
	       in->index_wraps);
	report_info("flow control: outbound full %u times, signals as writer %u, as reader %u, failed %u, max in flight %u",
		    st.outbound_full, st.signals_as_writer,
		    st.signals_as_reader, st.signal_failures,
		    st.max_in_flight);
	if (t1 > t0)
		report_info("echo took %lu ms", (unsigned long)((t1 - t0) / 10000));
}

static void check_ap_interrupts(unsigned nr_cpus)
{
	unsigned last = nr_cpus - 1;

	for (unsigned i = 0; i < nr_cpus; i++)
		report_info("vCPU %u: %lu SynIC interrupts, %lu channel events",
			    i, (unsigned long)cpus[i].sint_interrupts,
			    (unsigned long)cpus[i].channel_events);
	if (nr_cpus < 2) {
		report_skip("1 vCPU", "AP received channel interrupts");
		return;
	}
	report(cpus[last].channel_events > 0,
	       "vCPU %u (AP, channel target) received channel interrupts (%lu)",
	       last, (unsigned long)cpus[last].channel_events);
}

static void test_echo_channel(const struct vmbus_offer_info *echo,
			      unsigned nr_cpus)
{
	static uint64_t pfns[2 * RING_PAGES_EACH_WAY];
	uint8_t *ring = page_alloc(2 * RING_PAGES_EACH_WAY);
	struct guest_ring out, in;
	uint32_t handle = 0, status = ~0u;
	unsigned messages = 0;
	uint32_t target_vp = nr_cpus - 1;

	if (!ring) {
		report(false, "echo ring GPADL created (out of memory)");
		return;
	}
	/* Outbound (guest->host) ring first, inbound after it (facts §6.1). */
	guest_ring_init(&out, ring, RING_BYTES);
	guest_ring_init(&in, ring + RING_BYTES, RING_BYTES);
	guest_ring_set_features(&out);
	guest_ring_set_features(&in);
	pfns_of(ring, 2 * RING_PAGES_EACH_WAY, pfns);

	bool created = vmbus_gpadl_create(&client, echo->relid, pfns,
					  2 * RING_PAGES_EACH_WAY, &handle,
					  &messages, &status);

	report(created, "echo ring GPADL created (%u pages, handle 0x%x, status 0x%x)",
	       2 * RING_PAGES_EACH_WAY, handle, status);
	if (!created)
		return;

	bool opened = vmbus_open_channel(&client, echo->relid, handle,
					 target_vp, RING_PAGES_EACH_WAY,
					 &status);

	report(opened, "echo channel opened (relid %u, target VP %u, status 0x%x)",
	       echo->relid, target_vp, status);
	if (opened) {
		run_echo(echo, &out, &in);
		check_ap_interrupts(nr_cpus);
		report(vmbus_close_channel(&client, echo->relid),
		       "echo channel closed");
	}
	report(vmbus_gpadl_teardown(&client, echo->relid, handle),
	       "echo ring GPADL torn down");
}

struct vmbus_client *vmbus_test_connect(void)
{
	if (!vmbus_client_init(&client, 0)) {
		report(false, "VMBus client pages allocated");
		return NULL;
	}
	if (!connect_vmbus())
		return NULL;
	collect_offers();
	return &client;
}

void vmbus_test_echo(struct vmbus_client *c, unsigned nr_cpus)
{
	static const struct vmbus_guid echo_class = VMBUS_CLASS_ECHO;
	const struct vmbus_offer_info *echo = vmbus_find_offer(c, &echo_class);

	if (!echo)
		return;
	test_big_gpadl(echo->relid);
	test_echo_channel(echo, nr_cpus);
}

void vmbus_test_unload(struct vmbus_client *c)
{
	report(vmbus_unload(c), "UNLOAD_RESPONSE received");
	report(c->bad_messages == 0 && c->unexpected_messages == 0 &&
	       cpus[0].sint.stats.reserved_bit0 == 0,
	       "host messages well-formed (%u received, %u bad, %u unexpected)",
	       c->messages_received, c->bad_messages, c->unexpected_messages);
}
