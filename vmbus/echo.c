// SPDX-License-Identifier: MIT
/*
 * The echo service: every in-band packet the guest sends comes back with
 * the same type, flags, transaction id and payload.  It exercises the
 * whole data path, flow control included, in both directions:
 *   - when the host->guest ring is full, vmbus_chan_send() arms
 *     pending_send_sz and the packet stays unconsumed; the guest signals
 *     us once it has read enough and we carry on (facts §6.5);
 *   - because we stop consuming, a guest writer that filled its own ring
 *     waits on its pending_send_sz until we consume again.
 */
#include "vmbus/vmbus.h"

#include "vmm/log.h"

static uint32_t echo_open(void *svc, struct vmbus_channel *ch)
{
	(void)svc;
	(void)ch;
	return 0;
}

static void echo_close(void *svc, struct vmbus_channel *ch)
{
	(void)svc;
	(void)ch;
}

static void echo_signal(void *svc, struct vmbus_channel *ch)
{
	struct vmbus_pkt pkt;

	(void)svc;
	while (vmbus_chan_peek(ch, &pkt) == 1) {
		if (pkt.desc.type != VMBUS_PKT_DATA_INBAND) {
			guest_refuse("echo.not-inband", "relid %u: packet "
				     "type %#x dropped", vmbus_chan_relid(ch),
				     pkt.desc.type);
			vmbus_chan_consume(ch);
			continue;
		}
		if (pkt.payload_len > vmbus_chan_max_payload(ch)) {
			/* Could never be answered: waiting would stall the
			 * ring for good. */
			guest_refuse("echo.reply-too-large", "relid %u: %u "
				     "bytes do not fit the host->guest ring",
				     vmbus_chan_relid(ch), pkt.payload_len);
			vmbus_chan_consume(ch);
			continue;
		}
		/* When there is no room this arms pending_send_sz (-1): the
		 * packet stays in the ring until the guest signals that it
		 * made room.  -2: the channel broke. */
		if (vmbus_chan_send(ch, pkt.desc.type, pkt.desc.flags,
				    pkt.desc.trans_id, pkt.payload,
				    pkt.payload_len) != 0)
			return;
		vmbus_chan_consume(ch);
	}
}

static void echo_describe(void *svc, bool to_guest, const struct vmbus_pkt *pkt,
			  struct trace_rec *r)
{
	(void)svc;
	(void)pkt;
	trace_set_name(r, to_guest ? "ECHO_REPLY" : "ECHO_REQUEST");
}

const struct vmbus_service_ops vmbus_echo_ops = {
	.open = echo_open,
	.close = echo_close,
	.signal = echo_signal,
	.reset = NULL,
	.describe = echo_describe,
};
