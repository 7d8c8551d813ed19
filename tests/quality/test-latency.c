/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Latency's pure parts: the histogram's quantiles against the exact ones of the same samples,
 * the frame-time table (overwrite, miss, writers and readers in threads), the capture ring.
 */
#include <glib.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture-ring.h"
#include "frame-table-file.h"
#include "frame-table.h"
#include "latency-hist.h"

static int
cmp_u64(const void *a, const void *b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
    return x < y ? -1 : x > y;
}

/* The exact nearest-rank quantile of sorted[0..n). */
static double
exact(const guint64 *sorted, gsize n, double q)
{
    gsize rank = (gsize)ceil(q * (double)n);
    return (double)sorted[rank ? rank - 1 : 0];
}

/* Within the stated error: 1 % of the value, or 1 us. */
static void
assert_close(double got, double want)
{
    double tol = MAX(want * 0.01, 1.0);
    if (fabs(got - want) > tol)
        g_error("quantile %.1f us, exact %.1f us (tolerance %.1f)", got, want, tol);
}

static void
check_distribution(guint64 *v, gsize n)
{
    struct e2c_latency_hist h;
    e2c_latency_hist_init(&h);
    for (gsize k = 0; k < n; k++)
        e2c_latency_hist_add(&h, v[k]);
    qsort(v, n, sizeof(*v), cmp_u64);
    const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    for (guint k = 0; k < G_N_ELEMENTS(qs); k++)
        assert_close(e2c_latency_hist_quantile_us(&h, qs[k]), exact(v, n, qs[k]));
    g_assert_cmpuint(h.max_us, ==, v[n - 1]);
    struct e2c_latency_summary s;
    e2c_latency_hist_summary(&h, &s);
    g_assert_true(s.have);
    g_assert_cmpfloat(s.max_ms, ==, (double)v[n - 1] / 1000.0);
    assert_close(s.p50_ms * 1000.0, exact(v, n, 0.5));
    assert_close(s.p99_ms * 1000.0, exact(v, n, 0.99));
}

static void
test_hist_quantiles(void)
{
    GRand *rand = g_rand_new_with_seed(42);
    gsize n = 100000;
    guint64 *v = g_new(guint64, n);
    /* Log-uniform over 1 us .. 100 s: every bucket range is exercised. */
    for (gsize k = 0; k < n; k++)
        v[k] = (guint64)exp(g_rand_double_range(rand, 0, log(1e8)));
    check_distribution(v, n);
    /* A call's shape: most frames around 20 ms, a tail to a second. */
    for (gsize k = 0; k < n; k++)
        v[k] = (guint64)(20000 + g_rand_double_range(rand, 0, 5000) +
                         (g_rand_int_range(rand, 0, 100) == 0 ? g_rand_int_range(rand, 0, 1000000)
                                                              : 0));
    check_distribution(v, n);
    /* Few samples, and values beyond the top bucket (their maximum stays exact). */
    guint64 few[] = {7, 3000000000, 15000};
    check_distribution(few, G_N_ELEMENTS(few));
    g_free(v);
    g_rand_free(rand);
}

static void
test_hist_empty_and_since(void)
{
    struct e2c_latency_hist h, base;
    struct e2c_latency_summary s;
    e2c_latency_hist_init(&h);
    e2c_latency_hist_summary(&h, &s);
    g_assert_false(s.have);
    for (guint k = 0; k < 100; k++)
        e2c_latency_hist_add(&h, 50000); /* 50 ms */
    base = h;
    e2c_latency_hist_since(&h, &base, &s);
    g_assert_false(s.have); /* nothing new */
    for (guint k = 0; k < 10; k++)
        e2c_latency_hist_add(&h, 10000 + k * 1000); /* 10 .. 19 ms */
    e2c_latency_hist_since(&h, &base, &s);
    g_assert_true(s.have);
    assert_close(s.p50_ms * 1000, 14000);
    assert_close(s.max_ms * 1000, 19000); /* below the whole-call maximum: from its bucket */
    base = h;
    e2c_latency_hist_add(&h, 70123);
    e2c_latency_hist_since(&h, &base, &s);
    g_assert_cmpfloat(s.max_ms, ==, 70.123); /* raised the maximum: exact */
    assert_close(s.p50_ms * 1000, 70123);
}

static struct e2c_ftab *
new_table(void)
{
    struct e2c_ftab *t = g_malloc0(E2C_FTAB_SIZE);
    e2c_ftab_init(t);
    g_assert_true(e2c_ftab_valid(t));
    return t;
}

static void
test_table_put_get_miss(void)
{
    struct e2c_ftab *t = new_table();
    gint64 at = 0;
    g_assert_false(e2c_ftab_get(t, 0x1234, 0, &at));
    e2c_ftab_put(t, 0x1234, 0, 1000);
    e2c_ftab_put(t, 0x1234, 1, 2000);
    g_assert_true(e2c_ftab_get(t, 0x1234, 0, &at));
    g_assert_cmpint(at, ==, 1000);
    g_assert_true(e2c_ftab_get(t, 0x1234, 1, &at));
    g_assert_cmpint(at, ==, 2000);
    g_assert_false(e2c_ftab_get(t, 0x1234, 2, &at));
    g_assert_false(e2c_ftab_get(t, 0x1235, 0, &at));
    /* Many more frames than slots: the newest are there, the oldest were overwritten. */
    guint64 n = 4 * E2C_FTAB_SLOTS;
    for (guint64 c = 0; c < n; c++)
        e2c_ftab_put(t, 0x99, c, (gint64)(c + 1));
    guint64 newest_found = 0, oldest_found = 0;
    for (guint64 c = n - 1000; c < n; c++)
        newest_found += (guint64)e2c_ftab_get(t, 0x99, c, &at);
    for (guint64 c = 0; c < 1000; c++)
        oldest_found += (guint64)e2c_ftab_get(t, 0x99, c, &at);
    g_assert_cmpuint(newest_found, ==, 1000);
    g_assert_cmpuint(oldest_found, ==, 0);
    g_assert_false(e2c_ftab_get(t, 0x1234, 0, &at));
    /* The same frame again at the same time (two branches of one encoder): still there. */
    e2c_ftab_put(t, 0x77, 1, 5000);
    e2c_ftab_put(t, 0x77, 1, 5000);
    g_assert_true(e2c_ftab_get(t, 0x77, 1, &at));
    g_assert_cmpint(at, ==, 5000);
    /* At another time (identical plain frames): nobody can tell which, so a miss, also
     * after a third copy. */
    e2c_ftab_put(t, 0x77, 1, 6000);
    g_assert_false(e2c_ftab_get(t, 0x77, 1, &at));
    e2c_ftab_put(t, 0x77, 1, 7000);
    g_assert_false(e2c_ftab_get(t, 0x77, 1, &at));
    /* An older copy recorded late changes nothing; nor does the latest one again. */
    e2c_ftab_put(t, 0x77, 1, 5500);
    e2c_ftab_put(t, 0x77, 1, 7000);
    g_assert_false(e2c_ftab_get(t, 0x77, 1, &at));
    /* A copy E2C_FTAB_REPEAT_NS after the latest (7000) replaces them: found again. */
    e2c_ftab_put(t, 0x77, 1, 7000 + E2C_FTAB_REPEAT_NS - 1);
    g_assert_false(e2c_ftab_get(t, 0x77, 1, &at));
    gint64 again = 7000 + E2C_FTAB_REPEAT_NS - 1 + E2C_FTAB_REPEAT_NS;
    e2c_ftab_put(t, 0x77, 1, again);
    g_assert_true(e2c_ftab_get(t, 0x77, 1, &at));
    g_assert_cmpint(at, ==, again);
    /* A frame found (not ambiguous) and repeated that far apart: the newer time. */
    e2c_ftab_put(t, 0x78, 1, 1000);
    e2c_ftab_put(t, 0x78, 1, 1000 + E2C_FTAB_REPEAT_NS);
    g_assert_true(e2c_ftab_get(t, 0x78, 1, &at));
    g_assert_cmpint(at, ==, 1000 + E2C_FTAB_REPEAT_NS);
    /* Closer than that: ambiguous, whichever came first. */
    e2c_ftab_put(t, 0x79, 1, 2 * E2C_FTAB_REPEAT_NS);
    e2c_ftab_put(t, 0x79, 1, E2C_FTAB_REPEAT_NS + 1);
    g_assert_false(e2c_ftab_get(t, 0x79, 1, &at));
    /* Each frame took one slot of its group (a replacement reuses the slot). */
    guint used = 0;
    for (guint i = 0; i < E2C_FTAB_SLOTS; i++) {
        guint64 kid = atomic_load(&t->slot[i].kid);
        if (atomic_load(&t->slot[i].capture_ns) != 0 && kid >= 0x77 && kid <= 0x79)
            used++;
    }
    g_assert_cmpuint(used, ==, 3);
    g_free(t);
}

static void
test_hash(void)
{
    guint8 a[100], b[100];
    for (guint k = 0; k < sizeof(a); k++)
        a[k] = b[k] = (guint8)(k * 7);
    g_assert_cmpuint(e2c_ftab_hash(a, sizeof(a)), ==, e2c_ftab_hash(b, sizeof(b)));
    /* Any byte, any length changes it. */
    for (guint k = 0; k < sizeof(a); k++) {
        b[k] ^= 1;
        g_assert_cmpuint(e2c_ftab_hash(a, sizeof(a)), !=, e2c_ftab_hash(b, sizeof(b)));
        b[k] ^= 1;
    }
    for (gsize n = 0; n < sizeof(a); n++)
        g_assert_cmpuint(e2c_ftab_hash(a, n), !=, e2c_ftab_hash(a, n + 1));
}

#define WRITERS 3
#define PER_WRITER 200000

struct worker {
    struct e2c_ftab *t;
    guint64 kid;
    gint stop;
    guint64 hits, wrong;
};

/* capture_ns encodes (kid, ctr), so a reader can tell a torn or mixed-up read; it grows
 * with the counter, as capture times grow with the frames of every writer. */
static gint64
stamp(guint64 kid, guint64 ctr)
{
    return (gint64)(((ctr + 1) << 2) | kid);
}

static gpointer
writer(gpointer data)
{
    struct worker *w = data;
    for (guint64 c = 0; c < PER_WRITER; c++)
        e2c_ftab_put(w->t, w->kid, c, stamp(w->kid, c));
    return NULL;
}

static gpointer
reader(gpointer data)
{
    struct worker *w = data;
    GRand *rand = g_rand_new_with_seed(7);
    while (!g_atomic_int_get(&w->stop)) {
        guint64 kid = 1 + (guint64)g_rand_int_range(rand, 0, WRITERS);
        guint64 ctr = (guint64)g_rand_int_range(rand, 0, PER_WRITER);
        gint64 at;
        if (e2c_ftab_get(w->t, kid, ctr, &at)) {
            w->hits++;
            if (at != stamp(kid, ctr))
                w->wrong++;
        }
    }
    g_rand_free(rand);
    return NULL;
}

static void
test_table_threads(void)
{
    struct e2c_ftab *t = new_table();
    struct worker ws[WRITERS], rd = {t, 0, 0, 0, 0};
    GThread *wt[WRITERS];
    GThread *rt = g_thread_new("reader", reader, &rd);
    for (guint k = 0; k < WRITERS; k++) {
        ws[k] = (struct worker){t, k + 1, 0, 0, 0};
        wt[k] = g_thread_new("writer", writer, &ws[k]);
    }
    for (guint k = 0; k < WRITERS; k++)
        g_thread_join(wt[k]);
    g_atomic_int_set(&rd.stop, 1);
    g_thread_join(rt);
    g_assert_cmpuint(rd.wrong, ==, 0);
    /* Then the writers' newest frames, interleaved: they displace the older ones. */
    for (guint64 c = PER_WRITER; c < PER_WRITER + 100; c++)
        for (guint k = 0; k < WRITERS; k++)
            e2c_ftab_put(t, k + 1, c, stamp(k + 1, c));
    for (guint k = 0; k < WRITERS; k++)
        for (guint64 c = PER_WRITER; c < PER_WRITER + 100; c++) {
            gint64 at = 0;
            g_assert_true(e2c_ftab_get(t, k + 1, c, &at));
            g_assert_cmpint(at, ==, stamp(k + 1, c));
        }
    g_test_message("reader hits during the writes: %" G_GUINT64_FORMAT, rd.hits);
    g_free(t);
}

/* The shared file: made private, the same table for a second mapping, refused when not
 * private or reached through a symbolic link. */
static void
test_table_file(void)
{
    gchar *runtime = g_dir_make_tmp("e2c-ftab-XXXXXX", NULL);
    g_assert_nonnull(runtime);
    g_setenv("XDG_RUNTIME_DIR", runtime, TRUE);
    const char *why = NULL;
    struct e2c_ftab *a = e2c_ftab_file_map(&why), *b = e2c_ftab_file_map(&why);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_true(a != b);
    e2c_ftab_put(a, 5, 6, 7);
    gint64 at = 0;
    g_assert_true(e2c_ftab_get(b, 5, 6, &at));
    g_assert_cmpint(at, ==, 7);
    gchar *dir = g_build_filename(runtime, "e2call", NULL);
    gchar *file = g_build_filename(dir, "frame-times", NULL);
    GStatBuf st;
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_assert_cmpint(g_stat(file, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpuint((guint64)st.st_size, ==, (guint64)E2C_FTAB_SIZE);
    /* Others may enter the directory: refused. */
    g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
    why = NULL;
    g_assert_null(e2c_ftab_file_map(&why));
    g_assert_nonnull(why);
    g_assert_cmpint(g_chmod(dir, 0700), ==, 0);
    /* The directory a symbolic link: refused. */
    gchar *moved = g_build_filename(runtime, "elsewhere", NULL);
    g_assert_cmpint(g_rename(dir, moved), ==, 0);
    g_assert_cmpint(symlink(moved, dir), ==, 0);
    g_assert_null(e2c_ftab_file_map(&why));
    g_unlink(dir);
    gchar *moved_file = g_build_filename(moved, "frame-times", NULL);
    g_unlink(moved_file);
    g_rmdir(moved);
    g_rmdir(runtime);
    g_free(moved_file);
    g_free(moved);
    g_free(file);
    g_free(dir);
    g_free(runtime);
}

static void
test_capture_ring(void)
{
    struct e2c_capture_ring r;
    gint64 at = 0;
    e2c_capture_ring_init(&r);
    g_assert_false(e2c_capture_ring_find(&r, 0, &at));
    /* Video: 30 fps, exact PTS. */
    for (guint64 k = 0; k < 100; k++)
        e2c_capture_ring_add(&r, k * 33333333, (gint64)(1000 + k));
    g_assert_true(e2c_capture_ring_find(&r, 99 * 33333333ull, &at));
    g_assert_cmpint(at, ==, 1099);
    g_assert_true(e2c_capture_ring_find(&r, 40 * 33333333ull, &at));
    g_assert_cmpint(at, ==, 1040);
    g_assert_false(e2c_capture_ring_find(&r, 10 * 33333333ull, &at)); /* gone from the ring */
    /* An encoder's own frame boundaries: the raw frame it starts in. */
    g_assert_true(e2c_capture_ring_find(&r, 50 * 33333333ull + 5000000, &at));
    g_assert_cmpint(at, ==, 1050);
    g_assert_false(e2c_capture_ring_find_exact(&r, 50 * 33333333ull + 5000000, &at));
    g_assert_true(e2c_capture_ring_find_exact(&r, 50 * 33333333ull, &at));
    g_assert_cmpint(at, ==, 1050);
    /* Too far past the newest: nothing. */
    g_assert_false(e2c_capture_ring_find(&r, 99 * 33333333ull + 200000000, &at));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/latency/hist/quantiles", test_hist_quantiles);
    g_test_add_func("/latency/hist/empty-and-since", test_hist_empty_and_since);
    g_test_add_func("/latency/table/put-get-miss", test_table_put_get_miss);
    g_test_add_func("/latency/table/threads", test_table_threads);
    g_test_add_func("/latency/table/file", test_table_file);
    g_test_add_func("/latency/table/hash", test_hash);
    g_test_add_func("/latency/capture-ring", test_capture_ring);
    return g_test_run();
}
