/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify.h"

#include <math.h>
#include <string.h>

#define BLACK 16
#define WHITE 235

unsigned
e2c_marker_block(unsigned width)
{
    unsigned b = width / 32;
    return b < 8 ? 8 : b;
}

unsigned
e2c_marker_rows(unsigned width)
{
    return e2c_marker_block(width);
}

/* 4-bit check value: the XOR of the payload's nibbles, inverted so all-black is invalid. */
static unsigned
check_of(unsigned payload)
{
    return (~((payload ^ (payload >> 4) ^ (payload >> 8) ^ (payload >> 12))) & 0xf);
}

static unsigned
encode(unsigned counter, int pattern)
{
    unsigned payload = (counter & 0xfff) | (pattern ? 1u << 12 : 0);
    return payload | check_of(payload) << 16;
}

void
e2c_marker_stamp(uint8_t *y, size_t y_stride, uint8_t *u, uint8_t *v, size_t uv_stride,
                 unsigned uv_shift_x, unsigned uv_shift_y, unsigned width, unsigned height,
                 unsigned counter, int pattern)
{
    unsigned b = e2c_marker_block(width);
    if (width < b * E2C_MARKER_BLOCKS || height < b)
        return;
    unsigned bits = encode(counter, pattern);
    for (unsigned i = 0; i < E2C_MARKER_BLOCKS; i++) {
        uint8_t level = (bits >> i) & 1 ? WHITE : BLACK;
        for (unsigned row = 0; row < b; row++)
            memset(y + row * y_stride + i * b, level, b);
    }
    if (!u || !v)
        return;
    unsigned cw = (b * E2C_MARKER_BLOCKS) >> uv_shift_x, ch = b >> uv_shift_y;
    for (unsigned row = 0; row < ch; row++) {
        memset(u + row * uv_stride, 128, cw);
        memset(v + row * uv_stride, 128, cw);
    }
}

int
e2c_marker_read(const uint8_t *y, size_t y_stride, unsigned width, unsigned height,
                unsigned *counter, int *pattern)
{
    unsigned b = e2c_marker_block(width);
    if (width < b * E2C_MARKER_BLOCKS || height < b)
        return 0;
    unsigned bits = 0;
    /* Sample the inner half of each block: codecs blur the edges. */
    unsigned lo = b / 4, hi = b - b / 4;
    for (unsigned i = 0; i < E2C_MARKER_BLOCKS; i++) {
        unsigned long sum = 0, n = 0;
        for (unsigned row = lo; row < hi; row++)
            for (unsigned col = lo; col < hi; col++, n++)
                sum += y[row * y_stride + i * b + col];
        unsigned mean = (unsigned)(sum / n);
        if (mean < BLACK + 60)
            continue;
        if (mean > WHITE - 60)
            bits |= 1u << i;
        else
            return 0; /* neither black nor white: not a marker */
    }
    unsigned payload = bits & 0xffff;
    if ((payload >> 13) != 0 || (bits >> 16) != check_of(payload))
        return 0;
    *counter = payload & 0xfff;
    *pattern = (payload >> 12) & 1;
    return 1;
}

void
e2c_pattern_rows(unsigned width, unsigned height, unsigned *first_row, unsigned *end_row)
{
    *first_row = e2c_marker_rows(width);
    *end_row = height * 3 / 4;
}

double
e2c_psnr(const uint8_t *a, size_t a_stride, const uint8_t *b, size_t b_stride, unsigned width,
         unsigned first_row, unsigned end_row)
{
    double sse = 0;
    unsigned long n = 0;
    for (unsigned row = first_row; row < end_row; row++) {
        const uint8_t *pa = a + row * a_stride, *pb = b + row * b_stride;
        for (unsigned col = 0; col < width; col++, n++) {
            int d = (int)pa[col] - (int)pb[col];
            sse += (double)(d * d);
        }
    }
    if (n == 0 || sse == 0)
        return 99.0;
    double mse = sse / (double)n;
    return 10.0 * log10(255.0 * 255.0 / mse);
}

double
e2c_tone_share(const int16_t *samples, size_t frames, unsigned channels, unsigned rate, double freq)
{
    if (frames == 0 || channels == 0 || rate == 0)
        return 0;
    /* Goertzel at freq over the mixed-down signal. */
    double w = 2.0 * M_PI * freq / rate, coeff = 2.0 * cos(w);
    double s1 = 0, s2 = 0, energy = 0;
    for (size_t i = 0; i < frames; i++) {
        double x = 0;
        for (unsigned c = 0; c < channels; c++)
            x += samples[i * channels + c];
        x /= channels;
        energy += x * x;
        double s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    if (energy == 0)
        return 0;
    double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    /* A pure sine of amplitude A over N samples gives power (A N / 2)^2, energy A^2 N / 2. */
    double share = 2.0 * power / ((double)frames * energy);
    return share > 1.0 ? 1.0 : share;
}
