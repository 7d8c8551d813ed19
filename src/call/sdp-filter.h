/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * The router's offer as a receiver answers it: without the transport-cc
 * feedback (and its header extension) and without "ccm fir"; a new string.
 *
 * Both are about keyframe requests reaching Janus 1.1.2. Offered "ccm fir",
 * webrtcbin asks for a keyframe after a loss with an RFC 5104 FIR, which
 * Janus 1.1.2 does not recognise (it looks for the old RTCP FIR packet type
 * or a PLI), so the request is dropped; without it, webrtcbin sends a PLI.
 * And Janus hands a whole RTCP packet to the stream of its first message's
 * SSRC: with transport-cc feedback first, often the audio stream's, which
 * ignores a video PLI. A receiver only ever sends feedback, so it declines
 * both and its PLI travels alone (with reduced-size RTCP, see peer.c).
 */
gchar *e2c_sdp_for_receiving(const gchar *sdp);
