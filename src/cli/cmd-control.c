/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * e2call rekey|status|stats|leave: clients of a running call's control
 * socket (e2call-control(7)). rekey takes the secret from a file or stdin,
 * never from argv (other users can read it there), and sends it
 * base64-encoded; nothing here prints it. The client checks who serves the
 * socket before sending anything (control-client.h); whatever the server
 * says is printed through the events module's terminal-safe filter, so a
 * reply cannot send escape sequences to the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "commands.h"
#include "control-client.h"
#include "control-path.h"
#include "errors.h"
#include "option-once.h"
#include "secret-args.h"

/* rekey waits for the key derivation; see e2c_cmd_rekey(). */
#define REKEY_TIMEOUT_MS 30000

#define FIND_HELP                                                                                  \
    "Without --control, the socket of the one e2call running as this user is used (looked for "    \
    "in $XDG_RUNTIME_DIR/e2call, /run/user/UID/e2call and /tmp/e2call-*); when there are "         \
    "several, give --control."

struct control_cmd {
    const char *name; /* "e2call status" */
    gchar *control;
    gboolean json;
    gchar *timeout;
    guint timeout_ms;
    gchar *path; /* the socket used */
};

/* The socket to talk to: --control, or the only running one. 0 or an exit status. */
static int
pick_socket(struct control_cmd *cmd)
{
    if (cmd->control) {
        cmd->path = g_strdup(cmd->control);
        return 0;
    }
    GPtrArray *found = e2c_control_find_sockets();
    int status = 0;
    if (found->len == 1) {
        cmd->path = g_strdup(g_ptr_array_index(found, 0));
        fprintf(stderr, "%s: using %s\n", cmd->name, cmd->path);
    } else if (found->len == 0) {
        fprintf(stderr,
                "%s: %s: no running e2call with a control socket was found; give "
                "--control PATH\n",
                cmd->name, e2c_error_name(E2C_ERR_CONNECT_FAILED));
        status = E2C_EXIT_CONNECT_FAILED;
    } else {
        fprintf(stderr, "%s: %u e2call processes are running; give --control with one of:\n",
                cmd->name, found->len);
        for (guint i = 0; i < found->len; i++)
            fprintf(stderr, "  %s\n", (const char *)g_ptr_array_index(found, i));
        status = E2C_EXIT_USAGE;
    }
    g_ptr_array_unref(found);
    return status;
}

/* No socket of our own call to talk to (none, or another user's): CONNECT_FAILED, exit 8. */
static int
client_failed(const struct control_cmd *cmd, const GError *error)
{
    gchar *message = e2c_printable(error->message);
    int status = E2C_EXIT_FAILURE;
    if (error->domain == E2C_CONTROL_CLIENT_ERROR &&
        (error->code == E2C_CONTROL_CLIENT_ERROR_CONNECT ||
         error->code == E2C_CONTROL_CLIENT_ERROR_UNTRUSTED)) {
        fprintf(stderr, "%s: %s: %s\n", cmd->name, e2c_error_name(E2C_ERR_CONNECT_FAILED), message);
        status = E2C_EXIT_CONNECT_FAILED;
    } else {
        fprintf(stderr, "%s: %s\n", cmd->name, message);
    }
    g_free(message);
    return status;
}

/* An error reply: the exit status of errors.h where the name has one, else 1. */
static int
reply_failed(const struct control_cmd *cmd, const struct e2c_control_reply *reply)
{
    gchar *name = e2c_printable(reply->name);
    gchar *message = e2c_printable(reply->message);
    fprintf(stderr, "%s: %s: %s\n", cmd->name, name, message);
    g_free(name);
    g_free(message);
    enum e2c_error err = e2c_error_from_name(reply->name);
    return err == E2C_ERR_NONE ? E2C_EXIT_FAILURE : (int)e2c_error_exit_status(err);
}

/* ---- readable status ---- */

static const char *const preferred_columns[] = {
    "participant", "remote", "display", "feed", "direction", "track",
    "stream",      "codec",  "state",   "kid",  "frames",    NULL,
};

static gchar *
cell_text(const json_t *v)
{
    if (!v || json_is_null(v))
        return g_strdup("-");
    if (json_is_string(v))
        return e2c_printable(json_string_value(v));
    if (json_is_integer(v))
        return g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return g_strdup_printf("%.1f", json_real_value(v));
    if (json_is_boolean(v))
        return g_strdup(json_is_true(v) ? "yes" : "no");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    gchar *copy = e2c_printable(s ? s : "?");
    free(s);
    return copy;
}

/* A non-empty array of objects. */
static gboolean
is_table(const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return FALSE;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_object(json_array_get(v, i)))
            return FALSE;
    return TRUE;
}

static void
add_column(GPtrArray *cols, const char *key)
{
    for (guint i = 0; i < cols->len; i++)
        if (!strcmp(g_ptr_array_index(cols, i), key))
            return;
    g_ptr_array_add(cols, (gpointer)key);
}

/* The preferred columns first (when any row has them), then the rest in order of appearance. */
static GPtrArray *
table_columns(const json_t *rows)
{
    GPtrArray *cols = g_ptr_array_new();
    size_t n = json_array_size(rows);
    for (const char *const *p = preferred_columns; *p; p++)
        for (size_t i = 0; i < n; i++)
            if (json_object_get(json_array_get(rows, i), *p))
                add_column(cols, *p);
    for (size_t i = 0; i < n; i++) {
        const char *key;
        json_t *value;
        json_object_foreach(json_array_get(rows, i), key, value)
        {
            add_column(cols, key);
        }
    }
    return cols;
}

static void
print_table(const char *title, const json_t *rows)
{
    GPtrArray *cols = table_columns(rows);
    size_t nrows = json_array_size(rows);
    guint ncols = cols->len;
    gchar **cells = g_new0(gchar *, (nrows + 1) * ncols);
    glong *width = g_new0(glong, ncols);

    for (guint c = 0; c < ncols; c++) {
        gchar *up = g_ascii_strup(g_ptr_array_index(cols, c), -1);
        cells[c] = e2c_printable(up);
        g_free(up);
        width[c] = g_utf8_strlen(cells[c], -1);
    }
    for (size_t r = 0; r < nrows; r++) {
        for (guint c = 0; c < ncols; c++) {
            json_t *row = json_array_get(rows, r);
            gchar *t = cell_text(json_object_get(row, g_ptr_array_index(cols, c)));
            cells[(r + 1) * ncols + c] = t;
            width[c] = MAX(width[c], g_utf8_strlen(t, -1));
        }
    }

    gchar *t = e2c_printable(title);
    printf("%s:\n", t);
    g_free(t);
    for (size_t r = 0; r <= nrows; r++) {
        printf(" ");
        for (guint c = 0; c < ncols; c++) {
            const gchar *cell = cells[r * ncols + c];
            glong pad = width[c] - g_utf8_strlen(cell, -1);
            printf(" %s%*s", cell, c + 1 < ncols ? (int)pad + 1 : 0, "");
        }
        printf("\n");
    }
    for (size_t k = 0; k < (nrows + 1) * ncols; k++)
        g_free(cells[k]);
    g_free(cells);
    g_free(width);
    g_ptr_array_unref(cols);
}

/* Scalars as "key: value" lines, then every array of objects as a table. */
static void
print_readable(json_t *obj)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (is_table(value))
            continue;
        gchar *k = e2c_printable(key);
        gchar *v = cell_text(value);
        printf("%s: %s\n", k, v);
        g_free(k);
        g_free(v);
    }
    json_object_foreach(obj, key, value)
    {
        if (is_table(value))
            print_table(key, value);
    }
}

/* ---- the commands ---- */

static GOptionContext *
make_context(struct control_cmd *cmd, const char *what, const GOptionEntry *extra)
{
    GOptionEntry common[] = {
        {"control", 'c', 0, G_OPTION_ARG_FILENAME, &cmd->control,
         "The control socket of the running e2call", "PATH"},
        {"timeout", 0, 0, G_OPTION_ARG_STRING, &cmd->timeout,
         "Give up waiting for the reply after D (default 10s; rekey 30s)", "D"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new(what);
    g_option_context_set_main_group(ctx, e2c_option_group_once2(NULL, NULL, NULL, common, extra));
    return ctx;
}

/* Parses options; 0, or the exit status (2) after a message. */
static int
parse(struct control_cmd *cmd, GOptionContext *ctx, int *argc, char ***argv)
{
    GError *error = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        fprintf(stderr, "%s: %s\n", cmd->name, error->message);
        g_error_free(error);
        return E2C_EXIT_USAGE;
    }
    if (*argc > 1) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", cmd->name, (*argv)[1]);
        return E2C_EXIT_USAGE;
    }
    guint64 ms = E2C_CONTROL_CLIENT_TIMEOUT_MS;
    if (cmd->timeout && (!e2c_parse_duration_ms(cmd->timeout, &ms) || ms == 0 || ms > 3600000)) {
        fprintf(stderr, "%s: --timeout takes a duration from 1ms to 1h (e.g. 10s)\n", cmd->name);
        return E2C_EXIT_USAGE;
    }
    cmd->timeout_ms = (guint)ms;
    return 0;
}

static void
cmd_clear(struct control_cmd *cmd)
{
    g_free(cmd->control);
    g_free(cmd->timeout);
    g_free(cmd->path);
}

static int
run_simple(int argc, char **argv, enum e2c_control_request_type type, const char *name,
           const char *what, const char *summary)
{
    struct control_cmd cmd = {.name = name};
    GOptionEntry json_entries[] = {
        {"json", 'j', 0, G_OPTION_ARG_NONE, &cmd.json, "Print the reply's JSON object", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    gboolean has_json = type == E2C_CONTROL_REQUEST_STATUS || type == E2C_CONTROL_REQUEST_STATS;
    GOptionContext *ctx = make_context(&cmd, what, has_json ? json_entries : NULL);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, FIND_HELP "\n\nExit status: 0 ok, 2 usage, 8 "
                                                    "CONNECT_FAILED (no socket to reach), 1 "
                                                    "other failures. See e2call-control(7).");
    struct e2c_control_reply reply = {0};
    GError *error = NULL;
    int status = parse(&cmd, ctx, &argc, &argv);
    if (status == 0)
        status = pick_socket(&cmd);
    if (status != 0)
        goto out;
    if (!e2c_control_client_request(cmd.path, type, cmd.timeout_ms, &reply, &error)) {
        status = client_failed(&cmd, error);
        goto out;
    }
    if (!reply.ok) {
        status = reply_failed(&cmd, &reply);
        goto out;
    }
    if (reply.json && cmd.json) {
        /*
         * jansson escapes C0 controls, not DEL or C1 (U+0080-U+009F): the
         * filter turns those into '?', which stays valid JSON, since they
         * can only be inside strings.
         */
        char *text = json_dumps(reply.json, JSON_COMPACT);
        gchar *safe = e2c_printable(text ? text : "{}");
        printf("%s\n", safe);
        g_free(safe);
        free(text);
    } else if (reply.json) {
        print_readable(reply.json);
    } else if (cmd.json) {
        printf("{}\n");
    }
    if (type == E2C_CONTROL_REQUEST_LEAVE)
        fprintf(stderr, "%s: the call is leaving\n", name);
    fflush(stdout);
out:
    g_clear_error(&error);
    e2c_control_reply_clear(&reply);
    g_option_context_free(ctx);
    cmd_clear(&cmd);
    return status;
}

int
e2c_cmd_status(int argc, char **argv)
{
    return run_simple(argc, argv, E2C_CONTROL_REQUEST_STATUS, "e2call status",
                      "- show a running call's participants and streams",
                      "Asks a running 'e2call join' for its participants, streams, their "
                      "decryption state, KIDs and frame counts.");
}

int
e2c_cmd_stats(int argc, char **argv)
{
    return run_simple(argc, argv, E2C_CONTROL_REQUEST_STATS, "e2call stats",
                      "- show a running call's per-stream statistics",
                      "Asks a running 'e2call join' for bitrate, frame rate and frames "
                      "decrypted, failed and replayed, per stream.");
}

int
e2c_cmd_leave(int argc, char **argv)
{
    return run_simple(argc, argv, E2C_CONTROL_REQUEST_LEAVE, "e2call leave",
                      "- make a running call leave its room",
                      "Asks a running 'e2call join' to leave the room and exit, as it does "
                      "at the end of --duration.");
}

int
e2c_cmd_rekey(int argc, char **argv)
{
    struct control_cmd cmd = {.name = "e2call rekey"};
    gchar *secret_file = NULL;
    gboolean secret_stdin = FALSE;
    /* No --secret and no --secret-env: the new secret never passes through argv. */
    GOptionEntry secret_entries[] = {
        {"secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
         "Read the new secret from PATH (one trailing newline removed)", "PATH"},
        {"secret-stdin", 0, 0, G_OPTION_ARG_NONE, &secret_stdin,
         "Read the new secret from standard input (typed on a terminal: not shown)", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx =
        make_context(&cmd, "- change the secret of a running call", secret_entries);
    g_option_context_set_summary(
        ctx, "Gives a running 'e2call join' a new encryption secret: it decrypts with the new "
             "secret at once (and with the old one for 10 s), and sends under it after its "
             "--rekey-delay. Give exactly one of --secret-file and --secret-stdin; the secret "
             "is never taken from the command line.");
    g_option_context_set_description(ctx, FIND_HELP "\n\nExit status: 0 rekeyed, 2 usage, 3 "
                                                    "INVALID_ENCRYPTION_SECRET, 6 "
                                                    "ENCRYPTION_INTERNAL_ERROR, 8 "
                                                    "CONNECT_FAILED, 1 other failures (BUSY: "
                                                    "at most one rekey per second). See "
                                                    "e2call-control(7).");
    struct e2c_secret_args args = {0};
    struct e2c_secret secret = {0};
    struct e2c_control_reply reply = {0};
    GError *error = NULL;
    gboolean ok;
    int status = parse(&cmd, ctx, &argc, &argv);
    if (status != 0)
        goto out;
    if (!!secret_file + !!secret_stdin != 1) {
        fprintf(stderr, "e2call rekey: give exactly one of --secret-file PATH and "
                        "--secret-stdin\n");
        status = E2C_EXIT_USAGE;
        goto out;
    }
    /* Read the secret first: a typo in it should not depend on a call running. */
    args.file = secret_file;
    args.from_stdin = secret_stdin;
    status = e2c_secret_args_read(&args, cmd.name, &secret);
    if (status == 0)
        status = pick_socket(&cmd);
    if (status != 0)
        goto out;
    /*
     * The call answers once it has derived the new key (600000 PBKDF2
     * iterations, a third of a CPU-second), which a busy machine can stretch
     * past 10 s: a soak next to a CI run saw 3 of 42 replies come later.
     */
    if (!cmd.timeout)
        cmd.timeout_ms = REKEY_TIMEOUT_MS;
    ok = e2c_control_client_rekey(cmd.path, &secret, cmd.timeout_ms, &reply, &error);
    e2c_secret_clear(&secret);
    if (!ok) {
        status = client_failed(&cmd, error);
        goto out;
    }
    if (!reply.ok) {
        status = reply_failed(&cmd, &reply);
        goto out;
    }
    fprintf(stderr, "e2call rekey: rekeyed: receiving with the new secret now, sending after "
                    "the call's rekey delay\n");
out:
    e2c_secret_clear(&secret);
    g_clear_error(&error);
    e2c_control_reply_clear(&reply);
    g_option_context_free(ctx);
    g_free(secret_file);
    cmd_clear(&cmd);
    return status;
}
