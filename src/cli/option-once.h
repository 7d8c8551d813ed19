/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Option groups in which an option that takes a value may be given once.
 * GOption lets a repeated "--room 1 --room 2" silently keep the last value;
 * here the second one is a usage error naming the flag.
 */
#pragma once

#include <glib.h>

/*
 * A GOptionGroup holding entries (terminated by a NULL long_name; copied).
 * name NULL makes the main group: pass it to g_option_context_set_main_group().
 * Options of type STRING, FILENAME, INT, INT64, DOUBLE and CALLBACK with a
 * value store what GOption would store, the first time; a second occurrence
 * fails with G_OPTION_ERROR_BAD_VALUE, "--NAME given twice: it takes one
 * value". Options without a value (G_OPTION_ARG_NONE, NO_ARG callbacks) and
 * arrays are left as they are. Wrapped callbacks get NULL as their data.
 */
GOptionGroup *e2c_option_group_once(const char *name, const char *description,
                                    const char *help_description, const GOptionEntry *entries);
/* The same over a NULL-terminated array of lists of entries: one group, so each is given once. */
GOptionGroup *e2c_option_group_once_lists(const char *name, const char *description,
                                          const char *help_description,
                                          const GOptionEntry *const *lists);
/* The same over two lists of entries (more may be NULL): one group, so each is given once. */
GOptionGroup *e2c_option_group_once2(const char *name, const char *description,
                                     const char *help_description, const GOptionEntry *entries,
                                     const GOptionEntry *more);
