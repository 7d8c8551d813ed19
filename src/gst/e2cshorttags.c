/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2cshorttags.h"

#include "sframe.h"

void
e2c_warn_short_tags(GstElement *element, guint suite)
{
    const struct sframe_suite_info *info = sframe_suite_info((uint16_t)suite);
    if (!info || info->nt >= 8)
        return;
    GST_ELEMENT_WARNING(element, LIBRARY, SETTINGS,
                        ("cipher suite %u (%s) has %u-byte tags: a forged frame passes once in "
                         "2^%u tries (see e2call-e2ee(7), SECURITY)",
                         suite, info->name, (unsigned)info->nt, (unsigned)(8 * info->nt)),
                        (NULL));
}
