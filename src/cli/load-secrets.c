/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "load-secrets.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "secret-args.h"
#include "secret.h"

/*
 * A run has at most E2C_LOAD_MAX_SECRETS participants, so no run can use
 * more secrets than that: the file's natural bound is that many lines of the
 * longest secret (1024 bytes of UTF-8 and a CRLF), comments and blank lines
 * included. Checked from the file's size before anything is read.
 */
#define MAX_FILE_BYTES ((size_t)E2C_LOAD_MAX_SECRETS * E2C_SECRET_MAX_BYTES)

struct line {
    struct e2c_secret secret;
    guint number; /* 1-based line number in the file */
};

static void
wipe_lines(GArray *lines)
{
    for (guint i = 0; i < lines->len; i++)
        e2c_secret_clear(&g_array_index(lines, struct line, i).secret);
    g_array_unref(lines);
}

/* The file, read under the rules of --secret-file (e2c_secret_file_read()). */
static int
read_file(const char *file, struct e2c_secret_file *f)
{
    int err = e2c_secret_file_read(file, MAX_FILE_BYTES, f);
    int saved = errno;
    if (err == E2C_SECRET_E_TOO_LONG) {
        if (f->size >= 0)
            fprintf(stderr, "e2call load: --secrets '%s' has %lld bytes", file, f->size);
        else
            fprintf(stderr, "e2call load: --secrets '%s' gives more than %zu bytes", file,
                    MAX_FILE_BYTES);
        fprintf(stderr,
                "; a secrets file holds at most %d secrets, at most %zu bytes (%d lines of the "
                "longest secret)\n",
                E2C_LOAD_MAX_SECRETS, MAX_FILE_BYTES, E2C_LOAD_MAX_SECRETS);
        return E2C_EXIT_USAGE;
    }
    if (err != E2C_SECRET_OK) {
        fprintf(stderr, "e2call load: cannot read --secrets '%s': %s\n", file,
                err == E2C_SECRET_E_NOMEM ? "out of memory" : e2c_secret_file_strerror(saved));
        return E2C_EXIT_USAGE;
    }
    e2c_secret_args_warn_exposure("e2call load", "secrets file", file, f->exposure);
    return 0;
}

static int
read_lines(const char *file, GArray *lines)
{
    struct e2c_secret_file f;
    int status = read_file(file, &f);
    if (status)
        return status;
    const char *text = f.bytes;
    size_t len = f.len;
    guint number = 0;
    for (const char *p = text; p < text + len && status == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        gsize n = nl ? (gsize)(nl - p) : (gsize)(text + len - p);
        number++;
        gsize content = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        if (content > 0 && p[0] != '#' && lines->len == E2C_LOAD_MAX_SECRETS) {
            fprintf(stderr,
                    "e2call load: --secrets '%s' holds more than %d secrets (line %u); a run "
                    "has at most %d participants\n",
                    file, E2C_LOAD_MAX_SECRETS, number, E2C_LOAD_MAX_SECRETS);
            status = E2C_EXIT_USAGE;
        } else if (content > 0 && p[0] != '#') {
            struct line l = {.number = number};
            int err = e2c_secret_set(&l.secret, p, content, 0);
            if (err != E2C_SECRET_OK) {
                char why[160];
                e2c_secret_describe(err, &l.secret, why, sizeof(why));
                fprintf(stderr, "e2call load: %s: line %u of --secrets: %s\n",
                        e2c_error_name(E2C_ERR_INVALID_ENCRYPTION_SECRET), number, why);
                e2c_secret_clear(&l.secret);
                status = E2C_EXIT_INVALID_SECRET;
            } else {
                g_array_append_val(lines, l);
            }
        }
        p += n + (nl ? 1 : 0);
    }
    if (status == 0 && lines->len == 0) {
        fprintf(stderr, "e2call load: --secrets '%s' holds no secret\n", file);
        status = E2C_EXIT_USAGE;
    }
    e2c_secret_file_clear(&f);
    return status;
}

/* "PARTICIPANT LINE" pairs; lines refer to the file's line numbers. */
static int
read_map(const char *map, guint n_participants, GArray *lines, guint *line_index)
{
    gchar *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(map, &text, NULL, &error)) {
        fprintf(stderr, "e2call load: cannot read --assign '%s': %s\n", map, error->message);
        g_error_free(error);
        return E2C_EXIT_USAGE;
    }
    gchar **rows = g_strsplit(text, "\n", -1);
    int status = 0;
    for (guint r = 0; rows[r] && status == 0; r++) {
        gchar *row = g_strstrip(rows[r]);
        if (!*row || row[0] == '#')
            continue;
        guint64 who, line;
        gchar **f = g_strsplit_set(row, " \t", -1);
        guint nf = 0;
        gchar *v[2] = {NULL, NULL};
        for (guint k = 0; f[k]; k++)
            if (*f[k] && nf < 2)
                v[nf++] = f[k];
        if (nf != 2 || !g_ascii_string_to_unsigned(v[0], 10, 1, n_participants, &who, NULL) ||
            !g_ascii_string_to_unsigned(v[1], 10, 1, G_MAXUINT, &line, NULL)) {
            fprintf(stderr,
                    "e2call load: --assign line %u: expected 'PARTICIPANT LINE' with "
                    "PARTICIPANT 1-%u\n",
                    r + 1, n_participants);
            status = E2C_EXIT_USAGE;
        } else {
            guint found = G_MAXUINT;
            for (guint i = 0; i < lines->len; i++)
                if (g_array_index(lines, struct line, i).number == line)
                    found = i;
            if (found == G_MAXUINT) {
                fprintf(stderr,
                        "e2call load: --assign line %u: line %" G_GUINT64_FORMAT
                        " of --secrets holds no secret\n",
                        r + 1, line);
                status = E2C_EXIT_USAGE;
            } else {
                line_index[who - 1] = found;
            }
        }
        g_strfreev(f);
    }
    g_strfreev(rows);
    g_free(text);
    return status;
}

/* ---- one key per group, derived two at a time on the shared workers ---- */

struct derivations {
    guint pending;
    E2cKey **keys;   /* group -> key */
    GError **errors; /* group -> why not */
};

struct group_job {
    struct derivations *all;
    guint group;
};

static void
group_key_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    struct group_job *job = data;
    struct derivations *all = job->all;
    all->keys[job->group] = e2c_key_derive_finish(result, &all->errors[job->group]);
    all->pending--;
    g_free(job);
}

/*
 * Derives the key of every group some participant uses, from its first
 * participant's line (whose secret moves into the derivation), on a main
 * context of its own. 0, or E2C_EXIT_INTERNAL_ERROR after a line on stderr
 * naming the first participant's line whose key failed.
 */
static int
derive_group_keys(GArray *lines, const guint *line_index, guint n_participants,
                  const guint *group_of_line, guint n_groups, const char *room, E2cKey **keys)
{
    struct derivations all = {0, keys, g_new0(GError *, n_groups)};
    guint *line_of_group = g_new(guint, n_groups);
    GMainContext *context = g_main_context_new();
    g_main_context_push_thread_default(context);
    guint *order = g_new(guint, n_groups), n_order = 0; /* groups by first participant */
    for (guint p = 0; p < n_participants; p++) {
        guint i = line_index[p], g = group_of_line[i];
        gboolean asked = FALSE;
        for (guint k = 0; k < n_order && !asked; k++)
            asked = order[k] == g;
        if (asked)
            continue;
        order[n_order++] = g;
        line_of_group[g] = g_array_index(lines, struct line, i).number;
        struct group_job *job = g_new(struct group_job, 1);
        job->all = &all;
        job->group = g;
        all.pending++;
        e2c_key_derive_async(&g_array_index(lines, struct line, i).secret, room, NULL,
                             group_key_ready, job);
    }
    while (all.pending)
        g_main_context_iteration(context, TRUE);
    g_main_context_pop_thread_default(context);
    g_main_context_unref(context);

    int status = 0;
    for (guint k = 0; k < n_order && status == 0; k++) {
        guint g = order[k];
        if (!keys[g]) {
            fprintf(stderr, "e2call load: line %u of --secrets: %s\n", line_of_group[g],
                    all.errors[g]->message);
            status = E2C_EXIT_INTERNAL_ERROR;
        }
    }
    for (guint g = 0; g < n_groups; g++)
        g_clear_error(&all.errors[g]);
    g_free(all.errors);
    g_free(order);
    g_free(line_of_group);
    return status;
}

int
e2c_load_secrets_read(struct e2c_load_secrets *out, const char *file, const char *map,
                      guint n_participants, guint offset, const char *room)
{
    memset(out, 0, sizeof(*out));
    GArray *lines = g_array_new(FALSE, TRUE, sizeof(struct line));
    guint *line_index = g_new(guint, n_participants);
    int status = read_lines(file, lines);
    if (status)
        goto out;
    for (guint i = 0; i < n_participants; i++)
        line_index[i] = (offset + i) % lines->len;
    if (map && (status = read_map(map, n_participants, lines, line_index)))
        goto out;

    /* Groups: lines with equal secrets are one group, named by the first such line. */
    guint *group_of_line = g_new(guint, lines->len);
    guint n_groups = 0;
    for (guint i = 0; i < lines->len; i++) {
        struct e2c_secret *si = &g_array_index(lines, struct line, i).secret;
        group_of_line[i] = G_MAXUINT;
        for (guint k = 0; k < i && group_of_line[i] == G_MAXUINT; k++) {
            struct e2c_secret *sk = &g_array_index(lines, struct line, k).secret;
            if (si->len == sk->len && CRYPTO_memcmp(si->utf8, sk->utf8, si->len) == 0)
                group_of_line[i] = group_of_line[k];
        }
        if (group_of_line[i] == G_MAXUINT)
            group_of_line[i] = n_groups++;
    }
    /* Only groups somebody uses need a key (600000 PBKDF2 iterations each). */
    GPtrArray *keys = g_ptr_array_new();
    g_ptr_array_set_size(keys, n_groups);
    status = derive_group_keys(lines, line_index, n_participants, group_of_line, n_groups, room,
                               (E2cKey **)keys->pdata);
    if (status == 0) {
        out->n_participants = n_participants;
        out->n_groups = keys->len;
        out->group_key = (E2cKey **)g_ptr_array_free(keys, FALSE);
        out->group_of = g_new(guint, n_participants);
        out->line_of = g_new(guint, n_participants);
        for (guint p = 0; p < n_participants; p++) {
            out->group_of[p] = group_of_line[line_index[p]];
            out->line_of[p] = g_array_index(lines, struct line, line_index[p]).number;
        }
    } else {
        for (guint i = 0; i < keys->len; i++)
            if (g_ptr_array_index(keys, i))
                e2c_key_unref(g_ptr_array_index(keys, i));
        g_ptr_array_free(keys, TRUE);
    }
    g_free(group_of_line);
out:
    wipe_lines(lines);
    g_free(line_index);
    return status;
}

void
e2c_load_secrets_clear(struct e2c_load_secrets *s)
{
    for (guint g = 0; g < s->n_groups; g++)
        if (s->group_key[g])
            e2c_key_unref(s->group_key[g]);
    g_free(s->group_key);
    g_free(s->group_of);
    g_free(s->line_of);
    memset(s, 0, sizeof(*s));
}
