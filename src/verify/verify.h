/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What --expect-media checks in decoded media, as plain functions on sample
 * buffers (no GStreamer), so they are unit-tested on their own.
 *
 * Video: the publisher stamps a frame marker into every raw frame before
 * encoding: one row of 20 flat blocks (black = 0, white = 1) in the top-left
 * corner carrying a 12-bit frame counter, a pattern flag and a 4-bit check
 * value. A receiver that reads a valid marker knows it decoded a real frame of
 * that publisher, and when the flag says "test pattern", it also compares the
 * rest of the picture with the pattern (PSNR of the luma plane).
 *
 * Audio: the publisher sends a sine tone; the receiver measures the share of
 * the signal's power at that frequency (Goertzel).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define E2C_MARKER_BLOCKS 20
#define E2C_MARKER_COUNTER_BITS 12
#define E2C_MARKER_MIN_WIDTH 160
#define E2C_MARKER_MIN_HEIGHT 32

/* Block edge in pixels for a frame width (at least 8). */
unsigned e2c_marker_block(unsigned width);
/* Rows the marker occupies (excluded from PSNR). */
unsigned e2c_marker_rows(unsigned width);

/*
 * Stamps counter (mod 4096) and the pattern flag into planar 8-bit YUV: the
 * luma blocks become 16 or 235, the chroma under them neutral. chroma planes
 * may be NULL; their subsampling is given as shifts (I420: 1, 1).
 */
void e2c_marker_stamp(uint8_t *y, size_t y_stride, uint8_t *u, uint8_t *v, size_t uv_stride,
                      unsigned uv_shift_x, unsigned uv_shift_y, unsigned width, unsigned height,
                      unsigned counter, int pattern);
/* 1 and the fields when a valid marker is there; 0 otherwise. */
int e2c_marker_read(const uint8_t *y, size_t y_stride, unsigned width, unsigned height,
                    unsigned *counter, int *pattern);

/* PSNR in dB between two luma planes over rows [first_row, end_row); 99 when identical. */
double e2c_psnr(const uint8_t *a, size_t a_stride, const uint8_t *b, size_t b_stride,
                unsigned width, unsigned first_row, unsigned end_row);
/*
 * The rows of the test pattern (videotestsrc SMPTE) that are the same in every
 * frame: below the marker and above the bottom quarter, whose right part is
 * animated noise.
 */
void e2c_pattern_rows(unsigned width, unsigned height, unsigned *first_row, unsigned *end_row);

/* Share (0..1) of the power of interleaved S16 audio at freq Hz, all channels mixed. */
double e2c_tone_share(const int16_t *samples, size_t frames, unsigned channels, unsigned rate,
                      double freq);
