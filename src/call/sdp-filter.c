/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SDP lines a receiver declines; see sdp-filter.h for why. */
#include "sdp-filter.h"

#include <string.h>

#define TWCC_EXTENSION "transport-wide-cc-extensions"

static gboolean
is_declined(const gchar *line, gsize len)
{
    /* a=rtcp-fb:PT transport-cc, a=rtcp-fb:PT ccm fir */
    if (len > 10 && strncmp(line, "a=rtcp-fb:", 10) == 0) {
        const gchar *sp = memchr(line, ' ', len);
        if (!sp)
            return FALSE;
        gsize rest = (gsize)(line + len - (sp + 1));
        static const char *const declined[] = {"transport-cc", "ccm fir"};
        for (unsigned i = 0; i < G_N_ELEMENTS(declined); i++)
            if (rest == strlen(declined[i]) && strncmp(sp + 1, declined[i], rest) == 0)
                return TRUE;
        return FALSE;
    }
    /* a=extmap:ID URI, the URI naming the transport-wide sequence number */
    if (len > 9 && strncmp(line, "a=extmap:", 9) == 0) {
        gchar *copy = g_strndup(line, len);
        gboolean twcc = strstr(copy, TWCC_EXTENSION) != NULL;
        g_free(copy);
        return twcc;
    }
    return FALSE;
}

gchar *
e2c_sdp_for_receiving(const gchar *sdp)
{
    GString *out = g_string_sized_new(strlen(sdp));
    const gchar *p = sdp;
    while (*p) {
        const gchar *nl = strchr(p, '\n');
        gsize full = nl ? (gsize)(nl - p) + 1 : strlen(p);
        gsize len = full;
        /* The line without its end (CRLF in SDP, a bare LF tolerated). */
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            len--;
        if (!is_declined(p, len))
            g_string_append_len(out, p, (gssize)full);
        p += full;
    }
    return g_string_free(out, FALSE);
}
