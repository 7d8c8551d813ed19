/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "capture-ring.h"

#include <string.h>

void
e2c_capture_ring_init(struct e2c_capture_ring *r)
{
    memset(r, 0, sizeof(*r));
}

void
e2c_capture_ring_add(struct e2c_capture_ring *r, uint64_t pts, int64_t at_ns)
{
    r->pts[r->next] = pts;
    r->at_ns[r->next] = at_ns;
    r->next = (r->next + 1) % E2C_CR_SIZE;
    if (r->len < E2C_CR_SIZE)
        r->len++;
}

int
e2c_capture_ring_find(const struct e2c_capture_ring *r, uint64_t pts, int64_t *at_ns)
{
    int found = 0;
    uint64_t best = 0;
    for (unsigned k = 0; k < r->len; k++) {
        unsigned i = (r->next + E2C_CR_SIZE - 1 - k) % E2C_CR_SIZE; /* newest first */
        if (r->pts[i] == pts) {
            *at_ns = r->at_ns[i];
            return 1;
        }
        if (r->pts[i] < pts && pts - r->pts[i] <= (uint64_t)E2C_CR_MAX_BEFORE_NS &&
            (!found || r->pts[i] > best)) {
            best = r->pts[i];
            *at_ns = r->at_ns[i];
            found = 1;
        }
    }
    return found;
}

int
e2c_capture_ring_find_exact(const struct e2c_capture_ring *r, uint64_t pts, int64_t *at_ns)
{
    for (unsigned k = 0; k < r->len; k++) {
        unsigned i = (r->next + E2C_CR_SIZE - 1 - k) % E2C_CR_SIZE; /* newest first */
        if (r->pts[i] == pts) {
            *at_ns = r->at_ns[i];
            return 1;
        }
    }
    return 0;
}
