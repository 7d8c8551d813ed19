/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NSS started for libsrtp the way a process with hundreds of SRTP streams
 * needs it (see srtp-nss.c). Call before the first webrtcbin connects; later
 * calls, from any thread, do nothing.
 */
#pragma once

void e2c_srtp_nss_init(void);
