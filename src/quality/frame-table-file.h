/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the frame-time table (frame-table.h) lives: the file "frame-times" in a directory
 * private to the user, $XDG_RUNTIME_DIR/e2call when XDG_RUNTIME_DIR is set, else
 * /dev/shm/e2call-UID; made with mode 0700 (the file 0600), never through a symbolic link,
 * and refused unless the user owns it and nobody else may enter it. Every e2call process of
 * the user maps the same file, so the table is one per user and machine.
 */
#pragma once

#include "frame-table.h"

/*
 * Maps the table, making the directory and the file if need be. NULL when that cannot be
 * done, with *why (static text) saying what failed; the table is never unmapped (it serves
 * the whole process).
 */
struct e2c_ftab *e2c_ftab_file_map(const char **why);
/* The directory the table's file goes in, for a message: newly allocated, free() it. */
char *e2c_ftab_file_dir(void);
