/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest's synthetic-video channel (facts §8): synthvid
 * messages framed as pipe header + synthvid header + body (§8.3), sent
 * in-band without completions as Linux does; host replies read back.
 */
#ifndef GUEST_HOSTILE_VIDEO_IO_H
#define GUEST_HOSTILE_VIDEO_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"

extern struct guest_channel video_ch;

/* Open the video channel (4 pages each way: room for a 255-rectangle
 * DIRT, 4 KiB). */
bool video_io_open(void);
void video_io_close(void);

/* Raw packet: any bytes as the in-band payload, or another packet type. */
int video_io_send_raw(uint16_t pkt_type, const void *payload, uint32_t len);
/* A well-framed message (pipe DATA, Linux's size convention). */
int video_io_send(uint32_t type, const void *body, uint32_t body_len);
/* The next host message of synthvid `type` (others are dropped); up to
 * cap body bytes into body.  False if none came. */
bool video_io_expect(uint32_t type, void *body, uint32_t cap);
/* True if the host sends nothing back for a short while. */
bool video_io_quiet(void);

/* Legitimate steps (TAP checks). */
bool video_io_version(uint32_t version);
bool video_io_vram(uint64_t gpa);
bool video_io_mode(uint32_t width, uint32_t height);

#endif
