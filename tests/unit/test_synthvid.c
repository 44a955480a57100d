/* SPDX-License-Identifier: MIT */
/* The synthvid service's message handling, VRAM placement and the
 * registry rule that makes the VRAM claim outlive the connection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "firmware/memmap.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/synthvid.h"
#include "vmm/log.h"

#define LOW_BASE 0xC0000000ull
#define MIB (1024ull * 1024ull)

struct sent {
	uint8_t buf[8][1024];
	uint32_t len[8];
	unsigned n;
};

static int capture(void *ctx, const void *msg, uint32_t len)
{
	struct sent *s = ctx;

	assert_true(s->n < 8);
	assert_true(len <= sizeof(s->buf[0]));
	memcpy(s->buf[s->n], msg, len);
	s->len[s->n++] = len;
	return 0;
}

static uint32_t sent_type(const struct sent *s, unsigned i)
{
	struct synthvid_msg_hdr h;

	memcpy(&h, s->buf[i] + sizeof(struct pipe_msg_hdr), sizeof(h));
	return h.type;
}

static const uint8_t *sent_body(const struct sent *s, unsigned i)
{
	return s->buf[i] + SYNTHVID_HDRS_SIZE;
}

struct mapping {
	uint64_t gpa, size;
	int maps, unmaps;
};

static int fake_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	struct mapping *m = ctx;

	assert_non_null(host);
	m->gpa = gpa;
	m->size = size;
	m->maps++;
	return 0;
}

static void fake_unmap(void *ctx, uint64_t gpa, uint64_t size)
{
	struct mapping *m = ctx;

	assert_int_equal(gpa, m->gpa);
	assert_int_equal(size, m->size);
	m->unmaps++;
}

struct fixture {
	struct memmap map;
	struct mmio_registry reg;
	struct mapping mapping;
	struct synthvid *sv;
	struct sent sent;
};

static int setup(void **state)
{
	static struct fixture f;
	char err[128];
	struct synthvid_vram_ops ops = { fake_map, fake_unmap, &f.mapping };

	memset(&f, 0, sizeof(f));
	log_set_quiet(1);
	assert_int_equal(memmap_build(&f.map, 256 * MIB,
				      (struct memmap_range){ LOW_BASE, MEMMAP_DEFAULT_LOW_MMIO_SIZE },
				      (struct memmap_range){ MEMMAP_DEFAULT_HIGH_MMIO_BASE,
							     MEMMAP_DEFAULT_HIGH_MMIO_SIZE },
				      err, sizeof(err)), 0);
	mmio_registry_init(&f.reg, &f.map);
	ops.ctx = &f.mapping;
	f.sv = synthvid_create(&f.reg, SYNTHVID_DEFAULT_MMIO_MB, &ops);
	assert_non_null(f.sv);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	synthvid_destroy(f->sv);
	return 0;
}

/* Build pipe header + synthvid header + body, as Linux does (§8.3). */
static uint32_t build(uint8_t *out, uint32_t type, const void *body, uint32_t len)
{
	struct pipe_msg_hdr p = { PIPE_MSG_DATA, (uint32_t)sizeof(struct synthvid_msg_hdr) + len };
	struct synthvid_msg_hdr h = { type, p.size };

	memcpy(out, &p, sizeof(p));
	memcpy(out + sizeof(p), &h, sizeof(h));
	memcpy(out + SYNTHVID_HDRS_SIZE, body, len);
	return SYNTHVID_HDRS_SIZE + len;
}

static int send_msg(struct fixture *f, uint32_t type, const void *body, uint32_t len)
{
	static uint8_t buf[SYNTHVID_HDRS_SIZE + 8192];

	assert_true(len <= 8192);
	return synthvid_handle(f->sv, buf, build(buf, type, body, len), capture, &f->sent);
}

static void negotiate(struct fixture *f, uint32_t version)
{
	struct synthvid_version_req req = { version };

	assert_int_equal(send_msg(f, SYNTHVID_VERSION_REQUEST, &req, sizeof(req)), 0);
}

static int place(struct fixture *f, uint64_t gpa)
{
	struct synthvid_vram_location loc = { .user_ctx = gpa,
					      .is_vram_gpa_specified = 1,
					      .vram_gpa = gpa };

	return send_msg(f, SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc));
}

static void test_version_accept_and_feature_change(void **state)
{
	struct fixture *f = *state;
	struct synthvid_version_resp resp;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(f->sent.n, 2);
	assert_int_equal(sent_type(&f->sent, 0), SYNTHVID_VERSION_RESPONSE);
	memcpy(&resp, sent_body(&f->sent, 0), sizeof(resp));
	assert_int_equal(resp.version, SYNTHVID_VERSION_WIN10);
	assert_int_equal(resp.is_accepted, 1);
	/* The host asks for dirty rectangles after the handshake (§8.5). */
	assert_int_equal(sent_type(&f->sent, 1), SYNTHVID_FEATURE_CHANGE);
	assert_int_equal(sent_body(&f->sent, 1)[0], 1);
}

static void test_version_fallback(void **state)
{
	struct fixture *f = *state;
	struct synthvid_version_req req = { SYNTHVID_VERSION(3, 9) };
	struct synthvid_version_resp resp;

	assert_int_equal(send_msg(f, SYNTHVID_VERSION_REQUEST, &req, sizeof(req)), 0);
	assert_int_equal(f->sent.n, 1);
	memcpy(&resp, sent_body(&f->sent, 0), sizeof(resp));
	assert_int_equal(resp.is_accepted, 0);
	/* A guest walking down (3.5 -> 3.2 -> 3.0) gets 3.2 and 3.0. */
	negotiate(f, SYNTHVID_VERSION_WIN8);
	memcpy(&resp, sent_body(&f->sent, 1), sizeof(resp));
	assert_int_equal(resp.is_accepted, 1);
	assert_int_equal(f->sv->version, SYNTHVID_VERSION_WIN8);
}

static void test_resolution_needs_3_5(void **state)
{
	struct fixture *f = *state;
	uint8_t max = 64;

	negotiate(f, SYNTHVID_VERSION_WIN8);
	f->sent.n = 0;
	assert_int_equal(send_msg(f, SYNTHVID_RESOLUTION_REQUEST, &max, 1), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.resolution-before-3.5");
	assert_int_equal(f->sent.n, 0);
}

static void test_resolution_response(void **state)
{
	struct fixture *f = *state;
	uint8_t max = 64;
	const uint8_t *b;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	f->sent.n = 0;
	assert_int_equal(send_msg(f, SYNTHVID_RESOLUTION_REQUEST, &max, 1), 0);
	assert_int_equal(sent_type(&f->sent, 0), SYNTHVID_RESOLUTION_RESPONSE);
	b = sent_body(&f->sent, 0);
	assert_true(b[SYNTHVID_EDID_SIZE] >= 1);                      /* count */
	assert_true(b[SYNTHVID_EDID_SIZE + 1] < b[SYNTHVID_EDID_SIZE]); /* default */
	/* Every offered mode fits the VRAM at 32 bpp. */
	for (unsigned i = 0; i < b[SYNTHVID_EDID_SIZE]; i++) {
		struct synthvid_resolution r;
		memcpy(&r, b + SYNTHVID_EDID_SIZE + 3 + i * 4, 4);
		assert_true((uint64_t)r.width * r.height * 4 <= 8 * MIB);
	}
}

static void test_vram_location_claims_and_maps(void **state)
{
	struct fixture *f = *state;
	struct synthvid_vram_location_ack ack;
	const struct mmio_claim *c;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	f->sent.n = 0;
	assert_int_equal(place(f, LOW_BASE), 0);
	assert_int_equal(sent_type(&f->sent, 0), SYNTHVID_VRAM_LOCATION_ACK);
	memcpy(&ack, sent_body(&f->sent, 0), sizeof(ack));
	assert_int_equal(ack.user_ctx, LOW_BASE);
	assert_int_equal(f->mapping.maps, 1);
	assert_int_equal(f->mapping.gpa, LOW_BASE);
	assert_int_equal(f->mapping.size, 8 * MIB);
	c = mmio_registry_find(&f->reg, LOW_BASE, 4096);
	assert_non_null(c);
	assert_string_equal(c->owner, SYNTHVID_OWNER);
	assert_int_equal(c->kind, MMIO_CLAIM_VRAM);
	assert_int_equal(c->size, 8 * MIB);
}

static void test_vram_move(void **state)
{
	struct fixture *f = *state;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE), 0);
	assert_int_equal(place(f, LOW_BASE + 64 * MIB), 0);
	assert_int_equal(f->mapping.unmaps, 1);
	assert_int_equal(f->mapping.maps, 2);
	assert_null(mmio_registry_find(&f->reg, LOW_BASE, 8 * MIB));
	assert_non_null(mmio_registry_find(&f->reg, LOW_BASE + 64 * MIB, 4096));
	assert_true(mmio_registry_consistent(&f->reg));
}

static void test_vram_refusals(void **state)
{
	struct fixture *f = *state;
	struct synthvid_vram_location_ack ack;
	struct mmio_claim holder;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	f->sent.n = 0;
	/* In RAM, not in a gap. */
	assert_int_equal(place(f, 0x100000), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.vram-outside-gaps");
	memcpy(&ack, sent_body(&f->sent, 0), sizeof(ack));
	assert_true(ack.user_ctx != 0x100000);
	/* Straddling the end of the low gap. */
	assert_int_equal(place(f, LOW_BASE + MEMMAP_DEFAULT_LOW_MMIO_SIZE - 4 * MIB), -1);
	/* Misaligned. */
	assert_int_equal(place(f, LOW_BASE + 0x800), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.vram-misaligned");
	/* Overlapping another owner's claim. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW_BASE + 16 * MIB, 0x2000, &holder),
			 MMIO_CLAIM_OK);
	assert_int_equal(place(f, LOW_BASE + 12 * MIB), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.vram-overlap");
	assert_int_equal(f->mapping.maps, 0);
}

/* Hyper-V keeps the VRAM where the last kernel put it across UNLOAD and
 * a new connection: the rule behind the kdump conflict. */
static void test_vram_claim_outlives_connection(void **state)
{
	struct fixture *f = *state;
	const struct vmbus_service *svc = synthvid_service(f->sv);
	struct mmio_claim holder;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE), 0);
	svc->ops->close(svc->ctx, NULL);
	if (svc->ops->reset)
		svc->ops->reset(svc->ctx);
	mmio_registry_new_boot(&f->reg);
	/* A crash kernel's config window on the old VRAM is refused. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW_BASE, 0x2000, &holder),
			 MMIO_CLAIM_OVERLAP);
	assert_string_equal(holder.owner, SYNTHVID_OWNER);
	assert_int_equal(holder.base, LOW_BASE);
	/* Until the guest names a new location. */
	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE + 32 * MIB), 0);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW_BASE, 0x2000, &holder),
			 MMIO_CLAIM_OK);
}

static void set_mode(struct fixture *f, uint32_t w, uint32_t h, uint32_t pitch, int want)
{
	struct synthvid_situation_update su = {
		.user_ctx = 7,
		.video_output_count = 1,
		.output = { { .active = 1, .depth_bits = 32, .width_pixels = w,
			      .height_pixels = h, .pitch_bytes = pitch } },
	};

	assert_int_equal(send_msg(f, SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)), want);
}

static void test_situation_update(void **state)
{
	struct fixture *f = *state;
	struct synthvid_mode mode;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE), 0);
	set_mode(f, 640, 480, 640 * 4, 0);
	assert_non_null(synthvid_framebuffer(f->sv, &mode));
	assert_int_equal(mode.width, 640);
	assert_int_equal(mode.pitch, 2560);
	/* Pitch too small, mode larger than VRAM, zero width. */
	set_mode(f, 640, 480, 100, -1);
	set_mode(f, 4096, 4096, 4096 * 4, -1);
	set_mode(f, 0, 480, 2560, -1);
	assert_string_equal(guest_last_refusal(), "synthvid.situation-invalid-mode");
	/* The accepted mode stays. */
	assert_non_null(synthvid_framebuffer(f->sv, &mode));
	assert_int_equal(mode.width, 640);
}

/* The screen shows the last frame after the guest unloads cleanly: the
 * screenshot is taken when the guest exits, after its UNLOAD. */
static void test_last_frame_survives_close(void **state)
{
	struct fixture *f = *state;
	const struct vmbus_service *svc = synthvid_service(f->sv);
	struct synthvid_mode mode;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE), 0);
	set_mode(f, 640, 480, 2560, 0);
	svc->ops->close(svc->ctx, NULL);
	assert_non_null(synthvid_framebuffer(f->sv, &mode));
	assert_int_equal(mode.width, 640);
	/* A mode switched off by the guest is off. */
	svc->ops->open(svc->ctx, NULL);
	negotiate(f, SYNTHVID_VERSION_WIN10);
	struct synthvid_situation_update off = { .video_output_count = 1 };
	assert_int_equal(send_msg(f, SYNTHVID_SITUATION_UPDATE, &off, sizeof(off)), 0);
	assert_null(synthvid_framebuffer(f->sv, &mode));
}

/* Found by fuzzing: GPA 0 looked like "already placed there". */
static void test_vram_at_gpa_zero_refused(void **state)
{
	struct fixture *f = *state;
	struct synthvid_vram_location_ack ack;

	negotiate(f, SYNTHVID_VERSION_WIN10);
	f->sent.n = 0;
	assert_int_equal(place(f, 0), -1);
	memcpy(&ack, sent_body(&f->sent, 0), sizeof(ack));
	assert_int_equal(ack.user_ctx, ~0ull);
	assert_int_equal(f->mapping.maps, 0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
}

/* Found by fuzzing: an 18-byte POINTER_SHAPE body (no pixel data) was
 * copied as the 22-byte struct.  The exact-size buffer lets ASan see it. */
static void test_pointer_shape_without_pixels(void **state)
{
	struct fixture *f = *state;
	struct synthvid_pointer_shape ps = { .part_idx = 0xFF, .width = 1, .height = 1 };
	const uint32_t body = offsetof(struct synthvid_pointer_shape, data);
	uint8_t *msg = malloc(SYNTHVID_HDRS_SIZE + body);

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_non_null(msg);
	build(msg, SYNTHVID_POINTER_SHAPE, &ps, body);
	assert_int_equal(synthvid_handle(f->sv, msg, SYNTHVID_HDRS_SIZE + body, capture,
					 &f->sent), 0);
	free(msg);
}

static void test_dirt_clipping(void **state)
{
	struct fixture *f = *state;
	uint8_t body[2 + 255 * sizeof(struct synthvid_rect)];
	struct synthvid_rect in = { 0, 0, 640, 480 }, out = { 600, 400, 700, 500 };

	negotiate(f, SYNTHVID_VERSION_WIN10);
	assert_int_equal(place(f, LOW_BASE), 0);
	set_mode(f, 640, 480, 2560, 0);
	body[0] = 0;
	body[1] = 1;
	memcpy(body + 2, &in, sizeof(in));
	assert_int_equal(send_msg(f, SYNTHVID_DIRT, body, 2 + sizeof(in)), 0);
	/* 255 rectangles out of bounds: counted and refused, no crash. */
	body[1] = 255;
	for (unsigned i = 0; i < 255; i++)
		memcpy(body + 2 + i * sizeof(out), &out, sizeof(out));
	assert_int_equal(send_msg(f, SYNTHVID_DIRT, body, sizeof(body)), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.dirt-out-of-bounds");
	assert_int_equal(f->sv->stats.dirt_rects_clipped, 255);
	/* Count larger than the data that follows. */
	assert_int_equal(send_msg(f, SYNTHVID_DIRT, body, 2 + sizeof(out)), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.dirt-truncated");
}

static void test_malformed_messages(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64] = { 0 };
	uint32_t v = SYNTHVID_VERSION_WIN10;

	/* Before the version handshake. */
	assert_int_equal(place(f, LOW_BASE), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.before-version");
	/* Shorter than the two headers. */
	assert_int_equal(synthvid_handle(f->sv, buf, 12, capture, &f->sent), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.msg-truncated");
	/* Unknown type, and a host-to-guest type sent by the guest. */
	assert_int_equal(send_msg(f, 99, &v, 4), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.unknown-type");
	assert_int_equal(send_msg(f, SYNTHVID_VERSION_RESPONSE, &v, 4), -1);
	/* Truncated body. */
	assert_int_equal(send_msg(f, SYNTHVID_VERSION_REQUEST, &v, 2), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.msg-truncated");
	/* Bad pipe type. */
	build(buf, SYNTHVID_VERSION_REQUEST, &v, 4);
	buf[0] = 2;
	assert_int_equal(synthvid_handle(f->sv, buf, SYNTHVID_HDRS_SIZE + 4, capture, &f->sent), -1);
	assert_string_equal(guest_last_refusal(), "synthvid.pipe-type");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_accept_and_feature_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolution_needs_3_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolution_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vram_location_claims_and_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vram_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vram_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vram_claim_outlives_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_situation_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_frame_survives_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vram_at_gpa_zero_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer_shape_without_pixels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirt_clipping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_messages, setup, teardown),
	};
	return cmocka_run_group_tests_name("synthvid", tests, NULL, NULL);
}
