/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2csframedec's input path without GStreamer: whole frames through
 * e2c_frame_open() with a receiver as the element runs it, codec envelope,
 * key policy, grace period and replay window included.
 *
 * Input: byte 0 picks the codec (bits 0-1: VP8, VP9, H.264, Opus) and the
 * cipher suite (bits 2-4, plus 1). Then records: an op byte, a 2-byte
 * big-endian length, and that many bytes. The op byte:
 *   bits 0-1  0: the bytes are a received frame as they are;
 *             1, 2, 3: the bytes are a plaintext frame, protected first by
 *             a sender under key A (current), B (the key A replaced, within
 *             its grace period until time passes it) or C (never held);
 *   bits 2-3  for protected frames: 0 as sealed, 1 cut to the length in the
 *             first two bytes, 2 one bit flipped at the position in them;
 *             3 no new frame, the previous received frame again (a replay);
 *   bits 4-7  time advancing by that many 100 ms before the frame.
 * Key A is derived from a secret and room (PBKDF2, once per process), so
 * frames from a real e2csframeenc with that secret open here too. The wall
 * clock is pinned (fuzz-wallclock.h): make-sframedec-corpus seals its seeds
 * at the same time, so their KIDs are of this epoch.
 *
 * Checks: no crash or sanitizer report; what opens under a held key is
 * exactly what was sealed; a frame sealed under a key no longer or never
 * held, or replayed, never opens; nothing opens without an SFrame in it
 * (H.264: an access unit without an encrypted NAL unit); errors are ones
 * e2csframedec handles. H.264 (e2call-e2ee(7), format 2): a sealed access
 * unit cut or with a bit flipped anywhere opens only if what comes out is
 * still the sender's (the units of the access unit, computed here
 * independently of src/envelope): every clear byte is authenticated.
 * An intact frame may be refused by the budget for unauthenticated KIDs
 * only once raw or tampered frames (which may carry new KIDs) came first:
 * the harness's own three senders need 5 derivations, under the burst.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "fuzz-wallclock.h"
#include "keysched.h"
#include "secret.h"
#include "sframe.h"
#include "sframedec-secret.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define T0 (UINT64_C(1000000000))
#define GRACE_US (UINT64_C(1000000))
#define STEP_US (UINT64_C(100000))
#define MAX_RECORDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { KEY_A, KEY_B, KEY_C, N_KEYS };
static struct e2c_shared_key keys[N_KEYS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct e2c_secret secret = {0};
    if (e2c_secret_set(&secret, FUZZ_SECRET, strlen(FUZZ_SECRET), 0) != E2C_SECRET_OK ||
        e2c_shared_key_derive(&secret, FUZZ_ROOM, E2C_PBKDF2_ITERATIONS, &keys[KEY_A]) != SFRAME_OK)
        abort();
    e2c_secret_clear(&secret);
    e2c_fuzz_pin_wallclock();
    memset(keys[KEY_B].bytes, 0xb0, sizeof(keys[KEY_B].bytes));
    memset(keys[KEY_C].bytes, 0xc0, sizeof(keys[KEY_C].bytes));
    return 0;
}

/* Heap copies of exactly the right size, so ASan sees any access past them. */
static uint8_t *
dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    CHECK(q);
    if (n)
        memcpy(q, p, n);
    return q;
}

/*
 * The units of an H.264 access unit as format 2 defines them, written
 * apart from src/envelope's: every non-empty NAL unit in order, except an
 * SPS or PPS among the leading ones (before any other type), one of the
 * first 16 of those, that has a byte-identical copy later. Returns how many,
 * with [hdr, end) each in units (MAX_UNITS of room).
 */
struct span {
    size_t hdr, end;
};

/* A record is at most 65535 bytes, and a NAL unit takes at least 4 (a protected one more). */
#define MAX_UNITS (65536 / 4 + 1)

static size_t
h264_units(const uint8_t *au, size_t len, struct span *units)
{
    static struct span all[MAX_UNITS];
    size_t n = 0, pos = 0, leading = 0, out = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(au, len, &pos, &nal))
        if (nal.end > nal.hdr) {
            CHECK(n < MAX_UNITS);
            all[n].hdr = nal.hdr;
            all[n++].end = nal.end;
        }
    while (leading < n &&
           ((au[all[leading].hdr] & 0x1f) == 7 || (au[all[leading].hdr] & 0x1f) == 8))
        leading++;
    for (size_t i = 0; i < n; i++) {
        int copied = 0;
        for (size_t j = i + 1; i < leading && i < 16 && j < n && !copied; j++)
            copied = all[j].end - all[j].hdr == all[i].end - all[i].hdr &&
                     memcmp(au + all[j].hdr, au + all[i].hdr, all[i].end - all[i].hdr) == 0;
        if (!copied)
            units[out++] = all[i];
    }
    return out;
}

/* Whether the NAL units of out are the units of the plaintext access unit pt. */
static int
h264_same_units(const uint8_t *out, size_t out_len, const uint8_t *pt, size_t pt_len)
{
    static struct span a[MAX_UNITS], b[MAX_UNITS];
    size_t pos = 0, na = 0;
    struct e2c_nal nal;
    while (e2c_h264_next_nal(out, out_len, &pos, &nal)) {
        CHECK(na < MAX_UNITS && nal.end > nal.hdr); /* no empty NAL unit comes out */
        a[na].hdr = nal.hdr;
        a[na++].end = nal.end;
    }
    size_t nb = h264_units(pt, pt_len, b);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].end - a[i].hdr != b[i].end - b[i].hdr ||
            memcmp(out + a[i].hdr, pt + b[i].hdr, a[i].end - a[i].hdr) != 0)
            return 0;
    return 1;
}

struct state {
    enum e2c_codec codec;
    uint16_t suite;
    struct e2c_receiver *r;
    struct e2c_sender *senders[N_KEYS];
    uint64_t now, b_expires;
    uint8_t *last; /* the previous received frame, for replays */
    size_t last_len;
    int last_opened;
    int foreign_kids; /* raw or tampered frames came: they may have spent the KID budget */
};

/* What is known of a received frame. */
struct expect {
    int key;      /* the key it was sealed under, or -1: unknown (raw input) */
    int intact;   /* as sealed */
    int tampered; /* a VP8, VP9 or Opus frame changed after sealing: must not open */
    int replay;   /* the previous frame again, and that one opened */
    int h264;     /* an H.264 access unit sealed from plain (maybe changed since) */
    const uint8_t *plain;
    size_t plain_len;
};

/* Opens one received frame and checks the verdict against what is known of it. */
static void
receive(struct state *st, const uint8_t *frame, size_t len, const struct expect *x)
{
    uint8_t *in = dup_bytes(frame, len);
    size_t cap = e2c_frame_open_bound(st->codec, len), out_len = 0;
    uint8_t *out = malloc(cap ? cap : 1);
    struct e2c_frame_info info;
    CHECK(out);

    enum e2c_status err =
        e2c_frame_open(st->r, st->codec, st->now, in, len, out, cap, &out_len, &info);
    /* What e2csframedec counts; anything else would be DECRYPTION_INTERNAL_ERROR. The
     * receiver always holds key A, so "no key" cannot happen either. */
    CHECK(err == E2C_OK || err == E2C_E_AUTH || err == E2C_E_REPLAY || err == E2C_E_MALFORMED ||
          err == E2C_E_STALE || err == E2C_E_KID_LIMITED);
    /* The harness's senders seal at the receiver's own (pinned) time. */
    if (x->key >= 0 && x->intact)
        CHECK(err != E2C_E_STALE);
    if (err == E2C_E_KID_LIMITED && x->intact)
        CHECK(st->foreign_kids);
    if (info.no_envelope)
        CHECK(err == E2C_E_MALFORMED);
    int held = x->key == KEY_A || (x->key == KEY_B && st->now < st->b_expires);
    int opened = err == E2C_OK;
    if (err == E2C_OK) {
        CHECK(out_len <= cap);
        CHECK(info.n_sframes > 0);
        CHECK(x->key < 0 || held);
        CHECK(!x->replay && !x->tampered);
        /* Whatever was done to it, an access unit that opens is the sender's. */
        if (x->h264)
            CHECK(h264_same_units(out, out_len, x->plain, x->plain_len));
    }
    if (x->replay)
        CHECK(err == E2C_E_REPLAY);
    if (x->intact && held && err != E2C_E_KID_LIMITED) {
        CHECK(err == E2C_OK);
        if (!x->h264)
            CHECK(out_len == x->plain_len && memcmp(out, x->plain, x->plain_len) == 0);
    }
    if (x->intact && x->key >= 0 && !held)
        CHECK(err == E2C_E_AUTH || err == E2C_E_KID_LIMITED);
    if (!x->intact)
        st->foreign_kids = 1;

    free(st->last);
    st->last = in;
    st->last_len = len;
    st->last_opened = opened;
    free(out);
}

static void
protect_and_receive(struct state *st, int key, unsigned mutation, const uint8_t *rec, size_t len)
{
    unsigned param = len >= 2 ? (unsigned)rec[0] << 8 | rec[1] : 0;
    const uint8_t *pt = len >= 2 ? rec + 2 : rec;
    size_t pt_len = len >= 2 ? len - 2 : 0;
    uint8_t *plain = dup_bytes(pt, pt_len);
    size_t cap = e2c_frame_protect_bound(st->codec, st->suite, pt_len), sealed_len = 0;
    uint8_t *sealed = malloc(cap);
    int prefixed = st->codec != E2C_CODEC_H264;
    struct expect x = {.key = key, .h264 = !prefixed, .plain = plain, .plain_len = pt_len};
    CHECK(sealed);

    if (mutation == 3) {
        if (st->last) {
            uint8_t *again = dup_bytes(st->last, st->last_len);
            struct expect r = {.key = -1, .replay = st->last_opened};
            receive(st, again, st->last_len, &r);
            free(again);
        }
        free(sealed);
        free(plain);
        return;
    }

    enum sframe_error err = e2c_frame_protect(st->senders[key], st->codec, st->now, plain, pt_len,
                                              sealed, cap, &sealed_len, NULL);
    CHECK(err == SFRAME_OK || err == SFRAME_E_MALFORMED);
    if (err == SFRAME_OK) {
        CHECK(sealed_len <= cap);
        switch (mutation) {
        case 0:
            x.intact = 1;
            receive(st, sealed, sealed_len, &x);
            break;
        case 1:
            x.intact = param >= sealed_len;
            x.tampered = prefixed && !x.intact;
            receive(st, sealed, x.intact ? sealed_len : param, &x);
            break;
        default:
            sealed[(param >> 3) % sealed_len] ^= (uint8_t)(1u << (param & 7));
            /* H.264: a flip in the framing (a byte before the first start
             * code) changes no unit and opens; receive() checks that what
             * opens is the sender's. */
            x.tampered = prefixed;
            receive(st, sealed, sealed_len, &x);
            break;
        }
    }
    free(sealed);
    free(plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum e2c_codec codecs[] = {E2C_CODEC_VP8, E2C_CODEC_VP9, E2C_CODEC_H264,
                                            E2C_CODEC_OPUS};
    struct state st = {0};
    size_t pos = 1;
    unsigned records = 0;

    if (size < 1)
        return 0;
    st.codec = codecs[data[0] & 3];
    st.suite = (uint16_t)(((data[0] >> 2) & 7) + 1);
    st.now = T0;
    st.r = e2c_receiver_create(st.suite, GRACE_US);
    CHECK(st.r);
    /* B first, then A replaces it: B keeps opening frames for GRACE_US. */
    CHECK(e2c_receiver_add_key(st.r, &keys[KEY_B], st.now) == SFRAME_OK);
    CHECK(e2c_receiver_add_key(st.r, &keys[KEY_A], st.now) == SFRAME_OK);
    st.b_expires = st.now + GRACE_US;
    for (int k = 0; k < N_KEYS; k++) {
        st.senders[k] = e2c_sender_create(st.suite);
        CHECK(st.senders[k] && e2c_sender_set_key(st.senders[k], &keys[k], 0) == SFRAME_OK);
    }

    while (size - pos >= 3 && records++ < MAX_RECORDS) {
        unsigned op = data[pos];
        size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        st.now += (op >> 4) * STEP_US;
        if ((op & 3) == 0) {
            struct expect x = {.key = -1};
            receive(&st, data + pos, len, &x);
        } else {
            protect_and_receive(&st, (int)(op & 3) - 1, (op >> 2) & 3, data + pos, len);
        }
        pos += len;
    }

    free(st.last);
    for (int k = 0; k < N_KEYS; k++)
        e2c_sender_destroy(st.senders[k]);
    e2c_receiver_destroy(st.r);
    return 0;
}
