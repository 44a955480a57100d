// SPDX-License-Identifier: MIT
/*
 * The bench's sink service (vmbus/sink.c) against a simulated guest: its
 * drain thread takes every packet, masks the guest's signals while it
 * drains and clears the mask before it sleeps -- so a write to an empty
 * ring is signalled again, and nothing written meanwhile is left behind.
 * The waits are bounded (the thread runs on its own schedule).
 */
#include "tests/unit/test_vmbus_guest.h"

#include <time.h>
#include <unistd.h>

#include "vmbus/sink.h"

#define OUT_PAGES   8u           /* header + 28 KiB of data */
#define IN_PAGES    2u
#define GPADL       0x200u
#define WAIT_MS     10000u

struct fixture {
	struct tg *tg;
	struct vmbus_sink *sink;
	uint64_t pfns[OUT_PAGES + IN_PAGES];
	struct tg_ring out;
	unsigned signals;
};

static struct fixture *open_sink(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tg = tg_new();
	f->sink = vmbus_sink_create();
	assert_non_null(f->sink);
	assert_int_equal(vmbus_register_service(f->tg->host,
						vmbus_sink_service(f->sink)), 0);
	tg_connect(f->tg, VMBUS_VERSION(5, 3));
	tg_request_offers(f->tg, 1, NULL);
	for (uint32_t i = 0; i < OUT_PAGES + IN_PAGES; i++)
		f->pfns[i] = tg_alloc_pfn(f->tg);
	assert_int_equal(tg_create_gpadl(f->tg, 1, GPADL, f->pfns,
					 OUT_PAGES + IN_PAGES), 0);
	assert_int_equal(tg_open(f->tg, 1, GPADL, OUT_PAGES, 0), 0);
	f->out = tg_ring_of(f->tg, f->pfns, OUT_PAGES);
	return f;
}

/* The thread may be draining the channel: stop it before the bus goes. */
static void close_sink(struct fixture *f)
{
	vmbus_sink_destroy(f->sink);
	tg_free(f->tg);
	free(f);
}

static volatile uint32_t *hdr_field(struct fixture *f, size_t off)
{
	return (volatile uint32_t *)(void *)((uint8_t *)tg_ring_hdr(&f->out) +
					     off);
}

#define HDR(f, field) hdr_field((f), offsetof(struct vmbus_ring_header, field))

/* Write one packet as Linux does, signalling when the rules say so.
 * False if the ring has no room. */
static bool send(struct fixture *f, uint32_t len, uint64_t id)
{
	static uint8_t payload[2048];
	bool signal = false;

	memset(payload, (int)(id & 0xFF), len);
	if (tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND, 0, id, payload, len,
			  &signal) < 0)
		return false;
	if (signal) {
		f->signals++;
		assert_int_equal(tg_signal(f->tg, 1), HV_STATUS_SUCCESS);
	}
	return true;
}

static bool all_taken(struct fixture *f, uint64_t packets)
{
	struct vmbus_sink_stats st;

	vmbus_sink_get_stats(f->sink, &st);
	return st.packets == packets &&
	       *HDR(f, read_index) == *HDR(f, write_index);
}

/* Every packet consumed and the mask cleared again (the thread is going
 * to sleep, or asleep), within WAIT_MS. */
static void wait_idle(struct fixture *f, uint64_t packets)
{
	for (unsigned ms = 0; ms < WAIT_MS; ms++) {
		if (all_taken(f, packets) && *HDR(f, interrupt_mask) == 0)
			return;
		usleep(1000);
	}
	fail_msg("the sink did not drain %llu packets within %u ms",
		 (unsigned long long)packets, WAIT_MS);
}

static void test_sink_drains_everything_then_unmasks(void **state)
{
	struct fixture *f = open_sink();
	struct vmbus_sink_stats st;
	uint64_t bytes = 0;

	(void)state;
	for (uint32_t i = 0; i < 20; i++) {
		assert_true(send(f, 8 * (i + 1), i));
		bytes += 8 * (i + 1);
	}
	/* The ring was empty and unmasked: the first write signals. */
	assert_true(f->signals >= 1);
	wait_idle(f, 20);
	vmbus_sink_get_stats(f->sink, &st);
	assert_int_equal(st.bytes, bytes);
	assert_true(st.wakeups >= 1);
	assert_true(st.passes >= 1);

	/* Idle again: the next write to the empty ring must signal. */
	unsigned before = f->signals;

	assert_true(send(f, 64, 100));
	assert_int_equal(f->signals, before + 1);
	wait_idle(f, 21);
	close_sink(f);
}

/* A writer that never stops: whatever it writes while the thread has the
 * mask set comes without a signal, and must be drained all the same.
 * Full rings are waited out (bounded), as the bench producer does. */
static void test_sink_keeps_up_with_a_steady_writer(void **state)
{
	struct fixture *f = open_sink();
	const uint32_t packets = 5000;

	(void)state;
	for (uint32_t i = 0; i < packets; i++) {
		unsigned waited = 0;

		while (!send(f, 8 + (i % 64) * 8, i)) {
			assert_true(++waited < WAIT_MS * 10);
			usleep(100);
		}
	}
	wait_idle(f, packets);
	/* Fewer signals than packets is the point of the mask; how many
	 * fewer depends on the scheduling, so only that much is checked. */
	assert_true(f->signals >= 1 && f->signals < packets);
	close_sink(f);
}

static void test_sink_closed_channel_is_left_alone(void **state)
{
	struct fixture *f = open_sink();

	(void)state;
	assert_true(send(f, 32, 1));
	wait_idle(f, 1);
	tg_close(f->tg, 1);
	/* A signal for the closed channel is refused by the bus, and the
	 * thread no longer looks at the ring. */
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
			  assert_int_equal(tg_signal(f->tg, 1),
					   HV_STATUS_INVALID_CONNECTION_ID));
	close_sink(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_drains_everything_then_unmasks),
		cmocka_unit_test(test_sink_keeps_up_with_a_steady_writer),
		cmocka_unit_test(test_sink_closed_channel_is_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
