/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting and ending the headless Chromium of `e2call web join` (cmd-web-chromium.h). */
#include "cmd-web-chromium.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

gchar *
e2c_chromium_find(void)
{
    const char *env = g_getenv("E2CALL_CHROMIUM");
    if (env && *env)
        return g_find_program_in_path(env);
    return g_find_program_in_path("chromium");
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

struct e2c_chromium *
e2c_chromium_start(const char *binary, GError **error)
{
    int to_child[2], from_child[2];
    gchar *profile = g_dir_make_tmp("e2call-chromium-XXXXXX", error);
    if (!profile)
        return NULL;
    if (pipe2(to_child, O_CLOEXEC) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "pipe: %s", g_strerror(errno));
        g_free(profile);
        return NULL;
    }
    if (pipe2(from_child, O_CLOEXEC) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "pipe: %s", g_strerror(errno));
        close(to_child[0]);
        close(to_child[1]);
        g_free(profile);
        return NULL;
    }
    gchar *profile_arg = g_strdup_printf("--user-data-dir=%s", profile);
    const gchar *argv[] = {
        binary,
        "--headless",
        "--remote-debugging-pipe",
        profile_arg,
        /* Media: a fake capture device and no permission prompt; the page
         * publishes its own canvas and tone, so neither is used. */
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        /* ICE: real host candidates (the router cannot resolve mDNS names). */
        "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,MediaRouter,OptimizationHints",
        /* Nothing but the page and the router: no background requests,
         * updates, reports, or name resolution beyond 127.0.0.1. */
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--no-pings",
        "--metrics-recording-only",
        "--no-first-run",
        "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--disable-gpu",
        /* Root cannot use Chromium's sandbox (a CI container); others keep it. */
        geteuid() == 0 ? "--no-sandbox" : "--enable-sandbox",
        "about:blank",
        NULL,
    };
    GSubprocessLauncher *l = g_subprocess_launcher_new(g_getenv("E2CALL_CHROMIUM_LOG")
                                                           ? G_SUBPROCESS_FLAGS_NONE
                                                           : G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    g_subprocess_launcher_take_fd(l, to_child[0], 3);
    g_subprocess_launcher_take_fd(l, from_child[1], 4);
    GSubprocess *proc = g_subprocess_launcher_spawnv(l, argv, error);
    g_object_unref(l);
    g_free(profile_arg);
    if (!proc) {
        close(to_child[1]);
        close(from_child[0]);
        nftw(profile, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        g_free(profile);
        return NULL;
    }
    struct e2c_chromium *c = g_new0(struct e2c_chromium, 1);
    c->proc = proc;
    c->profile = profile;
    c->cdp_write = to_child[1];
    c->cdp_read = from_child[0];
    return c;
}

void
e2c_chromium_free(struct e2c_chromium *c)
{
    if (!c)
        return;
    if (c->proc) {
        g_subprocess_force_exit(c->proc);
        g_subprocess_wait(c->proc, NULL, NULL);
        g_object_unref(c->proc);
    }
    nftw(c->profile, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    g_free(c->profile);
    g_free(c);
}
