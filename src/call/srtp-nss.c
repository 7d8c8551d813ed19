/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * webrtcbin protects media with libsrtp, and Debian's libsrtp2 does its AES
 * and HMAC through NSS, which it starts itself with NSS_INIT_OPTIMIZESPACE:
 * NSS's session table then has 32 buckets under a single lock. libsrtp
 * opens a fresh NSS context, so a session, for every packet (its set_iv),
 * and each open walks that table for a free handle. With hundreds of
 * streams in one process (e2call load: 50 receivers of 4 publishers hold
 * over a thousand sessions) the walks and the lock were about a fifth of
 * the process's CPU.
 *
 * Started first without that flag, NSS has 1024 buckets with a lock each;
 * libsrtp's own NSS_InitContext then only joins it. The context is kept for
 * the life of the process, which also spares NSS a full shutdown and
 * restart whenever the last SRTP session of the moment ends (a reconnect).
 * NSS keeps no keys of ours: it is only libsrtp's crypto back end.
 */
#include "srtp-nss.h"

#include <glib.h>
#include <nss.h>

void
e2c_srtp_nss_init(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        /* As libsrtp's own call, without NSS_INIT_OPTIMIZESPACE. */
        NSSInitContext *ctx =
            NSS_InitContext("", "", "", "", NULL,
                            NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB |
                                NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT);
        if (!ctx)
            g_debug("NSS did not start; libsrtp will start it itself");
        g_once_init_leave(&done, 1);
    }
}
