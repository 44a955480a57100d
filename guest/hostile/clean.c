// SPDX-License-Identifier: MIT
/*
 * After every attack: the host must still serve a well-behaved guest.
 * UNLOAD, connect again (facts §5.4), open a fresh echo channel, move 100
 * packets through it byte-exact (guest/echo.h), close, UNLOAD.
 */
#include "guest/hostile/clean.h"

#include "guest/echo.h"
#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/report.h"

#define CLEAN_PACKETS  100u
#define CLEAN_WINDOW   8u
#define CLEAN_IDLE     200000u
#define RING_PAGES     4u

static struct guest_channel echo;

static bool signal_host(void *ctx)
{
	const struct guest_channel *ch = ctx;

	return hv_signal_event(ch->offer.connection_id, 0) == HV_STATUS_SUCCESS;
}

static void relax(void *ctx)
{
	(void)ctx;
	cpu_relax();
}

bool hostile_clean_exchange(void)
{
	struct echo_config cfg = {
		.packets = CLEAN_PACKETS,
		.window = CLEAN_WINDOW,
		.idle_limit = CLEAN_IDLE,
		.signal_host = signal_host,
		.relax = relax,
		.ctx = &echo,
	};
	struct echo_stats st = { 0 };
	bool ok;

	report_info("hostile: clean negotiation and data exchange after the attacks");
	/* The attacks ended connected; a host in any state must take this. */
	ok = session_unload();
	ok = session_connect_and_offers() && ok;
	/* Each result is computed before report() reads its fields. */
	ok = ok && session_open(&echo, &hs.echo, RING_PAGES, RING_PAGES);
	if (!report(ok, "clean: fresh echo channel opened (relid %u, GPADL 0x%x)",
		    hs.echo.relid, echo.gpadl))
		return false;
	ok = echo_run(&cfg, &echo.out, &echo.in, &st) &&
	     st.verified == CLEAN_PACKETS;
	ok = report(ok, "clean: %u packets echoed byte-exact (%lu payload bytes)",
		    st.verified, (unsigned long)st.payload_bytes);
	ok = report(session_close(&echo),
		    "clean: echo channel closed, GPADL torn down") && ok;
	ok = session_unload() && ok;
	ok = report(hm_strays() == 0, "clean: no stray host messages (%u)",
		    hm_strays()) && ok;
	return ok;
}
