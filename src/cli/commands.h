/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One entry point per subcommand; each parses its own options. */
#pragma once

int e2c_cmd_check(int argc, char **argv);
int e2c_cmd_join(int argc, char **argv);
int e2c_cmd_session(int argc, char **argv);
int e2c_cmd_load(int argc, char **argv);
int e2c_cmd_web(int argc, char **argv); /* serve | join (cmd-web.c) */
/* The control socket clients (cmd-control.c). */
int e2c_cmd_rekey(int argc, char **argv);
int e2c_cmd_status(int argc, char **argv);
int e2c_cmd_stats(int argc, char **argv);
int e2c_cmd_leave(int argc, char **argv);
