// SPDX-License-Identifier: MIT
/*
 * The sink service (see vmbus/sink.h): a drain thread woken by the
 * guest's signals, interrupt suppression while it drains.
 *
 * Locking: the service callbacks run under the bus lock (and vm->lock)
 * and take s->lock inside it; the drain thread never holds s->lock while
 * it calls vmbus_chan_*, which take the bus lock -- so the two locks are
 * always taken in the same order.  A channel pointer the thread still
 * holds after a close stays valid (channels live as long as the bus) and
 * every vmbus_chan_* call on it then just fails.
 */
#include "vmbus/sink.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/log.h"

/* After the ring runs dry, keep looking (interrupts still masked) for
 * this long before sleeping: a guest that produces steadily refills the
 * ring well within it, and then never needs to signal.  Long enough to
 * cover a producer under nested emulation, short enough that an idle
 * guest costs next to nothing. */
#define SINK_POLL_NS        50000u
/* Peeks between two clock reads while polling, and pauses between two
 * peeks: each peek takes the bus lock, which a vCPU making a hypercall
 * needs too, so the poll leaves it free most of the time. */
#define SINK_POLL_BATCH     32u
#define SINK_POLL_PAUSES    16u

struct vmbus_sink {
	struct vmbus_service svc;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Under `lock`: */
	bool kicked;                  /* a signal came since the last look */
	bool stop;
	struct vmbus_channel *ch;     /* the open channel, or NULL */
	/* Written by the drain thread only; read with atomic loads. */
	struct vmbus_sink_stats st;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void stat_add(uint64_t *field, uint64_t n)
{
	__atomic_fetch_add(field, n, __ATOMIC_RELAXED);
}

static inline void cpu_pause(void)
{
	__builtin_ia32_pause();
}

/* ---- the drain thread --------------------------------------------------- */

/* Consume until the ring is empty.  Returns the packets taken, or -1 if
 * the channel is gone or broken. */
static int drain_pass(struct vmbus_sink *s, struct vmbus_channel *ch)
{
	struct vmbus_pkt pkt;
	uint64_t t0 = now_ns(), bytes = 0;
	int n = 0, rc;

	while ((rc = vmbus_chan_peek(ch, &pkt)) == 1) {
		bytes += pkt.payload_len;
		n++;
		vmbus_chan_consume(ch);
	}
	if (n) {
		stat_add(&s->st.drain_ns, now_ns() - t0);
		stat_add(&s->st.packets, (uint64_t)n);
		stat_add(&s->st.bytes, bytes);
		stat_add(&s->st.passes, 1);
	}
	return rc < 0 ? -1 : n;
}

/* Busy-poll for a next packet for up to SINK_POLL_NS.  True if one came
 * (it is left in the ring for the next pass). */
static bool poll_for_more(struct vmbus_channel *ch)
{
	uint64_t deadline = now_ns() + SINK_POLL_NS;
	struct vmbus_pkt pkt;

	do {
		for (unsigned i = 0; i < SINK_POLL_BATCH; i++) {
			int rc = vmbus_chan_peek(ch, &pkt);

			if (rc != 0)
				return rc == 1;
			for (unsigned j = 0; j < SINK_POLL_PAUSES; j++)
				cpu_pause();
		}
	} while (now_ns() < deadline);
	return false;
}

/* One wake-up: drain with the guest's signals masked, poll a little,
 * unmask, and look once more -- a packet written while the mask was set
 * came without a signal, and nobody else would ever fetch it. */
static void drain(struct vmbus_sink *s, struct vmbus_channel *ch)
{
	struct vmbus_pkt pkt;

	vmbus_chan_mask_interrupts(ch, true);
	for (;;) {
		if (drain_pass(s, ch) < 0)
			return;
		if (poll_for_more(ch))
			continue;
		vmbus_chan_mask_interrupts(ch, false);
		if (vmbus_chan_peek(ch, &pkt) != 1)
			return;         /* empty: the next write signals */
		stat_add(&s->st.late_packets, 1);
		vmbus_chan_mask_interrupts(ch, true);
	}
}

static void *drain_thread(void *arg)
{
	struct vmbus_sink *s = arg;

	for (;;) {
		struct vmbus_channel *ch;

		pthread_mutex_lock(&s->lock);
		while (!s->kicked && !s->stop)
			pthread_cond_wait(&s->wake, &s->lock);
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		s->kicked = false;
		ch = s->ch;
		pthread_mutex_unlock(&s->lock);
		if (ch) {
			stat_add(&s->st.wakeups, 1);
			drain(s, ch);
		}
	}
}

/* ---- service callbacks (under the bus lock) ------------------------------ */

static uint32_t sink_open(void *svc, struct vmbus_channel *ch)
{
	struct vmbus_sink *s = svc;

	pthread_mutex_lock(&s->lock);
	s->ch = ch;
	s->kicked = false;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void sink_close(void *svc, struct vmbus_channel *ch)
{
	struct vmbus_sink *s = svc;

	(void)ch;
	pthread_mutex_lock(&s->lock);
	s->ch = NULL;
	pthread_mutex_unlock(&s->lock);
}

/* The guest's HvSignalEvent: wake the thread and return at once, so the
 * exit costs no more than the wake-up. */
static void sink_signal(void *svc, struct vmbus_channel *ch)
{
	struct vmbus_sink *s = svc;

	pthread_mutex_lock(&s->lock);
	s->ch = ch;
	s->kicked = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

static const struct vmbus_service_ops sink_ops = {
	.open = sink_open,
	.close = sink_close,
	.signal = sink_signal,
	.reset = NULL,
	.describe = NULL,
};

/* ---- lifetime ------------------------------------------------------------ */

struct vmbus_sink *vmbus_sink_create(void)
{
	struct vmbus_sink *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		log_err("sink: out of memory");
		return NULL;
	}
	s->svc = (struct vmbus_service){
		.name = "sink",
		.class_id = VMBUS_CLASS_SINK,
		.instance_id = VMBUS_SINK_INSTANCE,
		.ops = &sink_ops,
		.ctx = s,
	};
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	rc = pthread_create(&s->thread, NULL, drain_thread, s);
	if (rc != 0) {
		log_err("sink: cannot start the drain thread: %s", strerror(rc));
		vmbus_sink_destroy(s);
		return NULL;
	}
	s->started = true;
	return s;
}

void vmbus_sink_destroy(struct vmbus_sink *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const struct vmbus_service *vmbus_sink_service(struct vmbus_sink *s)
{
	return &s->svc;
}

void vmbus_sink_get_stats(const struct vmbus_sink *s,
			  struct vmbus_sink_stats *out)
{
	out->packets = __atomic_load_n(&s->st.packets, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&s->st.bytes, __ATOMIC_RELAXED);
	out->drain_ns = __atomic_load_n(&s->st.drain_ns, __ATOMIC_RELAXED);
	out->wakeups = __atomic_load_n(&s->st.wakeups, __ATOMIC_RELAXED);
	out->passes = __atomic_load_n(&s->st.passes, __ATOMIC_RELAXED);
	out->late_packets = __atomic_load_n(&s->st.late_packets,
					    __ATOMIC_RELAXED);
}
