/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SFrame seal + open throughput against the raw OpenSSL EVP calls for the
 * same cipher and MAC over the same buffers (README, Benchmarks: at least 0.9 of
 * raw OpenSSL at 1 KB to 100 KB frames).
 *
 * Raw CTR suite: a preset-key EVP_CIPHER_CTX that only gets a new IV per
 * frame, EVP_EncryptUpdate, then HMAC over the ciphertext with a keyed
 * EVP_MAC_CTX; decryption verifies the MAC, then decrypts. Raw GCM: set the
 * IV, the AAD (a header's worth of bytes), update, final, tag.
 *
 * Both sides run in the same process in interleaved rounds (the order
 * alternates), timed with CLOCK_PROCESS_CPUTIME_ID; each reported figure is
 * the median over the rounds; the ratio column is the median of the
 * per-round sframe/raw ratios. MB/s counts plaintext bytes through one
 * seal and one open. The last line is "min ratio: X.XX".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sframe.h"

#define ROUNDS 15
#define TARGET_SECONDS 0.05 /* per measurement */
#define AAD_LEN 11          /* config byte + 8-byte KID + 2-byte CTR: e2call's usual header */

static const size_t sizes[] = {1024, 10 * 1024, 100 * 1024};
static const uint16_t bench_suites[] = {SFRAME_AES_256_CTR_HMAC_SHA512_80,
                                        SFRAME_AES_256_GCM_SHA512_128};

static void
die(const char *what)
{
    fprintf(stderr, "bench-sframe: %s failed\n", what);
    exit(1);
}

static double
cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct bench {
    const struct sframe_suite_info *info;
    size_t size;
    uint8_t *pt, *frame, *back;
    /* sframe */
    struct sframe_key *enc, *dec;
    uint64_t ctr;
    /* raw */
    EVP_CIPHER_CTX *raw_enc, *raw_dec;
    EVP_MAC_CTX *raw_mac;
    uint8_t iv[16], aad[AAD_LEN], tag[EVP_MAX_MD_SIZE];
};

static void
run_sframe(struct bench *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        size_t len = sframe_seal_bound(b->info->id, b->size), back_len = b->size, hdr_len;
        uint64_t kid, ctr;
        if (sframe_seal(b->enc, b->ctr++, NULL, 0, b->pt, b->size, b->frame, &len) != SFRAME_OK)
            die("sframe_seal");
        if (sframe_header_decode(b->frame, len, &kid, &ctr, &hdr_len) != SFRAME_OK ||
            sframe_open(b->dec, ctr, NULL, 0, b->frame, hdr_len, len, b->back, &back_len) !=
                SFRAME_OK)
            die("sframe_open");
    }
}

static void
next_iv(struct bench *b)
{
    for (int i = 11; i >= 4 && ++b->iv[i] == 0; i--)
        ;
}

static void
run_raw_ctr(struct bench *b, unsigned n)
{
    uint8_t *ct = b->frame, mac[EVP_MAX_MD_SIZE];
    size_t mac_len;
    int len = 0;

    for (unsigned i = 0; i < n; i++) {
        next_iv(b);
        if (EVP_EncryptInit_ex(b->raw_enc, NULL, NULL, NULL, b->iv) != 1 ||
            EVP_EncryptUpdate(b->raw_enc, ct, &len, b->pt, (int)b->size) != 1)
            die("raw encrypt");
        if (EVP_MAC_init(b->raw_mac, NULL, 0, NULL) != 1 ||
            EVP_MAC_update(b->raw_mac, ct, b->size) != 1 ||
            EVP_MAC_final(b->raw_mac, b->tag, &mac_len, sizeof(b->tag)) != 1)
            die("raw mac");

        if (EVP_MAC_init(b->raw_mac, NULL, 0, NULL) != 1 ||
            EVP_MAC_update(b->raw_mac, ct, b->size) != 1 ||
            EVP_MAC_final(b->raw_mac, mac, &mac_len, sizeof(mac)) != 1 ||
            CRYPTO_memcmp(mac, b->tag, b->info->nt) != 0)
            die("raw verify");
        if (EVP_DecryptInit_ex(b->raw_dec, NULL, NULL, NULL, b->iv) != 1 ||
            EVP_DecryptUpdate(b->raw_dec, b->back, &len, ct, (int)b->size) != 1)
            die("raw decrypt");
    }
}

static void
run_raw_gcm(struct bench *b, unsigned n)
{
    uint8_t *ct = b->frame;
    int len = 0;

    for (unsigned i = 0; i < n; i++) {
        next_iv(b);
        if (EVP_EncryptInit_ex(b->raw_enc, NULL, NULL, NULL, b->iv) != 1 ||
            EVP_EncryptUpdate(b->raw_enc, NULL, &len, b->aad, AAD_LEN) != 1 ||
            EVP_EncryptUpdate(b->raw_enc, ct, &len, b->pt, (int)b->size) != 1 ||
            EVP_EncryptFinal_ex(b->raw_enc, ct + len, &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(b->raw_enc, EVP_CTRL_AEAD_GET_TAG, 16, b->tag) != 1)
            die("raw gcm seal");
        if (EVP_DecryptInit_ex(b->raw_dec, NULL, NULL, NULL, b->iv) != 1 ||
            EVP_DecryptUpdate(b->raw_dec, NULL, &len, b->aad, AAD_LEN) != 1 ||
            EVP_DecryptUpdate(b->raw_dec, b->back, &len, ct, (int)b->size) != 1 ||
            EVP_CIPHER_CTX_ctrl(b->raw_dec, EVP_CTRL_AEAD_SET_TAG, 16, b->tag) != 1 ||
            EVP_DecryptFinal_ex(b->raw_dec, b->back + len, &len) != 1)
            die("raw gcm open");
    }
}

static void
run_raw(struct bench *b, unsigned n)
{
    if (b->info->is_gcm)
        run_raw_gcm(b, n);
    else
        run_raw_ctr(b, n);
}

static void
setup(struct bench *b, uint16_t suite, size_t size)
{
    const char *cipher_name =
        suite == SFRAME_AES_256_GCM_SHA512_128 ? "AES-256-GCM" : "AES-256-CTR";
    uint8_t base_key[32], key[96];
    OSSL_PARAM params[2];

    memset(b, 0, sizeof(*b));
    b->info = sframe_suite_info(suite);
    b->size = size;
    b->pt = malloc(size);
    b->frame = malloc(sframe_seal_bound(suite, size));
    b->back = malloc(size);
    if (!b->pt || !b->frame || !b->back)
        die("malloc");
    if (RAND_bytes(b->pt, (int)size) != 1 || RAND_bytes(base_key, sizeof(base_key)) != 1 ||
        RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(b->iv, 12) != 1 ||
        RAND_bytes(b->aad, sizeof(b->aad)) != 1)
        die("RAND_bytes");

    if (sframe_key_create(suite, 0x0123456789abcdefULL, SFRAME_KEY_ENCRYPT, base_key,
                          sizeof(base_key), &b->enc) != SFRAME_OK ||
        sframe_key_create(suite, 0x0123456789abcdefULL, SFRAME_KEY_DECRYPT, base_key,
                          sizeof(base_key), &b->dec) != SFRAME_OK)
        die("sframe_key_create");
    b->ctr = 0x10000; /* a 3-byte counter, as after some minutes of video */

    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, cipher_name, NULL);
    b->raw_enc = EVP_CIPHER_CTX_new();
    b->raw_dec = EVP_CIPHER_CTX_new();
    if (!cipher || !b->raw_enc || !b->raw_dec ||
        EVP_EncryptInit_ex(b->raw_enc, cipher, NULL, key, NULL) != 1 ||
        EVP_DecryptInit_ex(b->raw_dec, cipher, NULL, key, NULL) != 1)
        die("raw cipher setup");
    EVP_CIPHER_free(cipher);
    if (!b->info->is_gcm) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        b->raw_mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA512", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (!b->raw_mac || EVP_MAC_init(b->raw_mac, key + 32, 64, params) != 1)
            die("raw mac setup");
        EVP_MAC_free(mac);
    }
    OPENSSL_cleanse(base_key, sizeof(base_key));
    OPENSSL_cleanse(key, sizeof(key));
}

static void
teardown(struct bench *b)
{
    sframe_key_destroy(b->enc);
    sframe_key_destroy(b->dec);
    EVP_CIPHER_CTX_free(b->raw_enc);
    EVP_CIPHER_CTX_free(b->raw_dec);
    EVP_MAC_CTX_free(b->raw_mac);
    free(b->pt);
    free(b->frame);
    free(b->back);
}

static double
measure(struct bench *b, void (*run)(struct bench *, unsigned), unsigned n)
{
    double t0 = cpu_seconds();
    run(b, n);
    double t = cpu_seconds() - t0;
    return (double)b->size * n / 1e6 / (t > 0 ? t : 1e-9);
}

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Frames per measurement so that one takes about TARGET_SECONDS. */
static unsigned
calibrate(struct bench *b)
{
    unsigned n = 1;
    for (;;) {
        double t0 = cpu_seconds();
        run_sframe(b, n);
        run_raw(b, n);
        double t = (cpu_seconds() - t0) / 2;
        if (t >= TARGET_SECONDS / 10) {
            double want = (double)n * TARGET_SECONDS / t;
            return want < 1 ? 1 : (unsigned)want;
        }
        n *= 2;
    }
}

int
main(void)
{
    double min_ratio = 1e9;

    printf("SFrame seal + open vs raw OpenSSL EVP (%s)\n", OpenSSL_version(OPENSSL_VERSION));
    printf("median of %d interleaved rounds, CPU time; ratio = median of per-round "
           "sframe/raw\n",
           ROUNDS);
    for (size_t s = 0; s < sizeof(bench_suites) / sizeof(bench_suites[0]); s++) {
        const struct sframe_suite_info *info = sframe_suite_info(bench_suites[s]);
        printf("\nsuite 0x%04x %s\n", info->id, info->name);
        printf("  %-8s %12s %12s %7s\n", "frame", "sframe MB/s", "raw MB/s", "ratio");
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
            struct bench b;
            double sf[ROUNDS], raw[ROUNDS], ratios[ROUNDS];
            setup(&b, bench_suites[s], sizes[z]);
            unsigned n = calibrate(&b);
            for (int r = 0; r < ROUNDS; r++) {
                if (r % 2) {
                    raw[r] = measure(&b, run_raw, n);
                    sf[r] = measure(&b, run_sframe, n);
                } else {
                    sf[r] = measure(&b, run_sframe, n);
                    raw[r] = measure(&b, run_raw, n);
                }
                ratios[r] = sf[r] / raw[r];
            }
            double m_sf = median(sf, ROUNDS), m_raw = median(raw, ROUNDS);
            double ratio = median(ratios, ROUNDS);
            printf("  %3zu KB   %12.1f %12.1f %7.3f\n", sizes[z] / 1024, m_sf, m_raw, ratio);
            if (ratio < min_ratio)
                min_ratio = ratio;
            teardown(&b);
        }
    }
    printf("\nmin ratio: %.2f\n", min_ratio);
    return 0;
}
