/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a receiver declines of the router's offer (sdp-filter.h). */
#include <glib.h>
#include <string.h>

#include "sdp-filter.h"

/* The shape of a Janus 1.1.2 VideoRoom subscriber offer (one video, one audio). */
static const char offer[] =
    "v=0\r\n"
    "o=- 1700000000 1 IN IP4 127.0.0.1\r\n"
    "s=VideoRoom 1234\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "a=mid:0\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=ssrc-group:FID 3495320183 2844526376\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=mid:1\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=ssrc:2169943606 cname:janus\r\n";

static void
test_declines_fir_and_twcc(void)
{
    gchar *out = e2c_sdp_for_receiving(offer);
    g_assert_null(strstr(out, "ccm fir"));
    g_assert_null(strstr(out, "transport-cc"));
    g_assert_null(strstr(out, "transport-wide-cc"));
    /* Everything else stays, byte for byte and in order. */
    const char *kept[] = {
        "a=rtcp-fb:96 nack\r\n",      "a=rtcp-fb:96 nack pli\r\n",
        "a=rtcp-fb:96 goog-remb\r\n", "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
        "a=fmtp:97 apt=96\r\n",       "a=ssrc:2169943606 cname:janus\r\n"};
    const char *at = out;
    for (unsigned i = 0; i < G_N_ELEMENTS(kept); i++) {
        const char *found = strstr(at, kept[i]);
        g_assert_nonnull(found);
        at = found;
    }
    /* 24 lines in, 5 declined. */
    guint lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    g_assert_cmpuint(lines, ==, 19);
    g_free(out);
}

static void
test_edges(void)
{
    gchar *out = e2c_sdp_for_receiving("");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    /* A last line without its end, bare LF lines, and look-alikes that stay. */
    out = e2c_sdp_for_receiving("a=rtcp-fb:96 ccm fir\na=rtcp-fb:96 ccm firx\n"
                                "a=rtcp-fb:96 transport-cc");
    g_assert_cmpstr(out, ==, "a=rtcp-fb:96 ccm firx\n");
    g_free(out);
    out = e2c_sdp_for_receiving("a=rtcp-fb:96\r\na=rtcp-fb:\r\nx=transport-cc\r\n");
    g_assert_cmpstr(out, ==, "a=rtcp-fb:96\r\na=rtcp-fb:\r\nx=transport-cc\r\n");
    g_free(out);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp-filter/declines-fir-and-twcc", test_declines_fir_and_twcc);
    g_test_add_func("/sdp-filter/edges", test_edges);
    return g_test_run();
}
