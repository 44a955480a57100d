/* SPDX-License-Identifier: MIT */
/*
 * What a guest can see of a refused control message (facts §5.4): most
 * are simply not answered -- HvPostMessage succeeds and nothing comes
 * back -- and OPENCHANNEL is always answered, with a failure status.
 * Each helper does the post, checks, and says what it saw.
 */
#ifndef GUEST_HOSTILE_EXPECT_H
#define GUEST_HOSTILE_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/hostile/cases.h"

/* Post msg[0..size) to `connection_id`: status 0 and no answer. */
bool expect_unanswered(struct hsaw *s, uint32_t connection_id, const void *msg,
		       uint32_t size);
/* The same on the connection's message id. */
bool expect_unanswered_ctl(struct hsaw *s, const void *msg, uint32_t size);
/* OPENCHANNEL answered with a non-zero status. */
bool expect_open_refused(struct hsaw *s, uint32_t relid, uint32_t gpadl,
			 uint32_t target_vp, uint32_t downstream_pages);

#endif
