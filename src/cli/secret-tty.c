/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a secret from the terminal without echo (secret-tty.h), as
 * getpass(3) and OpenBSD's readpassphrase(3) do: echo is turned off before
 * the prompt (TCSAFLUSH drops what was typed ahead, which the terminal has
 * already shown), and the settings saved before are put back with TCSAFLUSH
 * (what was typed past the longest secret goes, rather than to the shell).
 * The signal handlers only make async-signal-safe calls.
 */
#include "secret-tty.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define N_HANDLED (sizeof(handled) / sizeof(handled[0]))

static struct termios saved_tio; /* as the terminal was */
static struct termios quiet_tio; /* the same without echo */
static volatile sig_atomic_t echo_off;

static void
on_signal(int sig)
{
    int saved_errno = errno;
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
        /* The user's line did not end: the next output starts on a new one. */
        ssize_t n = write(STDERR_FILENO, "\n", 1);
        (void)n;
    }
    /* The default action, now: ending the process, or stopping it. */
    struct sigaction dfl, ours;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, &ours);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    raise(sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    /* Here only after a stop (or a stop the kernel dropped: an orphaned process group). */
    sigaction(sig, &ours, NULL);
    if (echo_off)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet_tio);
    errno = saved_errno;
}

/* Reads one line (its newline included) into buf; *len gets its length. */
static int
read_line(char *buf, size_t cap, size_t *len)
{
    *len = 0;
    while (*len < cap) {
        ssize_t n = read(STDIN_FILENO, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; /* Ctrl-D on an empty line */
        *len += (size_t)n;
        if (buf[*len - 1] == '\n')
            break;
    }
    return 0;
}

int
e2c_secret_tty_read(struct e2c_secret *out, const char *cmd, const char *prompt)
{
    memset(out, 0, sizeof(*out));
    if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
        return E2C_SECRET_E_IO;
    quiet_tio = saved_tio;
    quiet_tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);

    struct sigaction ours, old[N_HANDLED];
    memset(&ours, 0, sizeof(ours));
    ours.sa_handler = on_signal;
    sigemptyset(&ours.sa_mask);
    for (size_t i = 0; i < N_HANDLED; i++)
        sigaddset(&ours.sa_mask, handled[i]); /* one at a time */
    ours.sa_flags = SA_RESTART;
    for (size_t i = 0; i < N_HANDLED; i++)
        sigaction(handled[i], &ours, &old[i]);

    /* Set before echo goes off, so a signal in between finds nothing to undo. */
    echo_off = 1;
    int err = E2C_SECRET_OK;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet_tio) != 0) {
        echo_off = 0;
        err = E2C_SECRET_E_IO;
    }

    /* One byte more than any valid secret and its CRLF tells "too long" apart. */
    char buf[E2C_SECRET_MAX_BYTES + 1];
    size_t len = 0;
    if (err == E2C_SECRET_OK) {
        fprintf(stderr, "%s: %s: ", cmd, prompt);
        fflush(stderr);
        if (read_line(buf, sizeof(buf), &len) != 0)
            err = E2C_SECRET_E_IO;
    }
    int saved_errno = errno;

    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
        echo_off = 0;
        fputc('\n', stderr); /* the Enter that was not shown */
    }
    for (size_t i = 0; i < N_HANDLED; i++)
        sigaction(handled[i], &old[i], NULL);

    if (err == E2C_SECRET_OK && len == sizeof(buf) && buf[len - 1] != '\n')
        err = E2C_SECRET_E_TOO_LONG;
    if (err == E2C_SECRET_OK)
        err = e2c_secret_set(out, buf, len, 1);
    OPENSSL_cleanse(buf, sizeof(buf));
    errno = saved_errno;
    return err;
}
