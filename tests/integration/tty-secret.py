#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""--secret-stdin on a terminal (e2call(1), SECRETS): a pseudo-terminal
stands in for the user's.

  tty-secret.py check E2CALL
      No router needed. join and rekey prompt on the terminal, what is typed
      is not shown, and the terminal's echo is back afterwards: after a
      secret was read, after Ctrl-C while the prompt waits (e2call ends by
      SIGINT, as without a prompt), and while e2call is stopped by Ctrl-Z
      (echo goes off again when it continues).
  tty-secret.py type SECRET TRANSCRIPT -- CMD ARGS...
      Runs CMD on a pseudo-terminal, types SECRET and Enter at its prompt,
      writes everything the terminal showed to TRANSCRIPT, and exits with
      CMD's status. Fails when the terminal showed the secret or its echo
      stayed off.

The command runs as the foreground process group of the terminal's session,
under a session leader that waits for it, as under a shell: so Ctrl-C and
Ctrl-Z reach it, and a stop is a real stop.
"""
import fcntl
import os
import pty
import select
import signal
import sys
import termios
import time

PROMPT = b"secret (not shown; end with Enter): "
# How long to wait for the program to say or do something: a guard against a
# hang, never a measure of speed.
PATIENCE = 60


class Terminal:
    def __init__(self, cmd):
        self.master, self.slave = pty.openpty()
        self.shown = b""
        pid_r, pid_w = os.pipe()
        status_r, status_w = os.pipe()
        self.leader = os.fork()
        if self.leader == 0:
            try:
                os.close(pid_r)
                os.close(status_r)
                os.close(self.master)
                os.setsid()
                fcntl.ioctl(self.slave, termios.TIOCSCTTY, 0)
                # The child runs the command only once it is the terminal's
                # foreground group: a command that reads the terminal earlier,
                # from the background, would be stopped (SIGTTIN). Waiting also
                # keeps the child from exec'ing before this side's setpgid,
                # which would then fail (EACCES).
                go_r, go_w = os.pipe()
                child = os.fork()
                if child == 0:
                    os.setpgid(0, 0)
                    os.read(go_r, 1)
                    for fd in (0, 1, 2):
                        os.dup2(self.slave, fd)
                    os.execv(cmd[0], cmd)
                os.setpgid(child, child)
                os.tcsetpgrp(self.slave, child)
                os.write(go_w, b"g")
                os.write(pid_w, b"%d\n" % child)
                _, st = os.waitpid(child, 0)
                os.write(status_w, b"%d\n" % st)
            finally:
                os._exit(0)
        os.close(pid_w)
        os.close(status_w)
        self.pid = int(os.read(pid_r, 64))
        os.close(pid_r)
        self.status_fd = status_r

    def echo(self):
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def pump(self, until, what):
        """Reads what the terminal shows until until() holds."""
        deadline = time.monotonic() + PATIENCE
        while not until():
            if time.monotonic() > deadline:
                raise SystemExit(f"FAIL: no {what} within {PATIENCE} s; the terminal showed "
                                 f"{self.shown[-300:]!r}")
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                self.shown += data

    def wait_prompt(self):
        self.pump(lambda: PROMPT in self.shown, "prompt")

    def type(self, text):
        os.write(self.master, text)

    def state(self):
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return "gone"

    def wait_exit(self):
        """The wait status of the command, once it has ended."""
        result = []

        def ended():
            r, _, _ = select.select([self.status_fd], [], [], 0)
            if r:
                result.append(int(os.read(self.status_fd, 64)))
            return bool(result)

        self.pump(ended, "end of the program")
        os.waitpid(self.leader, 0)
        # What it wrote last.
        while select.select([self.master], [], [], 0.1)[0]:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                break
            if not data:
                break
            self.shown += data
        return result[0]


def exit_text(st):
    if os.WIFEXITED(st):
        return f"exit {os.WEXITSTATUS(st)}"
    return f"signal {os.WTERMSIG(st)}"


failures = []


def expect(cond, what):
    if cond:
        print(f"ok: {what}")
    else:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def scenario_read(e2call, secret):
    t = Terminal([e2call, "join", "--server", "ws://127.0.0.1:9/", "--room", "5",
                  "--secret-stdin"])
    expect(t.echo(), "join: the terminal echoes before e2call starts")
    t.wait_prompt()
    expect(not t.echo(), "join: echo is off at the prompt")
    t.type(secret.encode() + b"\n")
    st = t.wait_exit()
    # Accepted: e2call went on to the router, which is not there (8).
    expect(exit_text(st) == "exit 8", f"join: the secret was accepted ({exit_text(st)}, "
                                      f"expected exit 8)")
    expect(b"CONNECT_FAILED" in t.shown, "join: it went on to connect")
    expect(secret.encode() not in t.shown, "join: the secret was not shown")
    expect(t.echo(), "join: echo is back after reading")


def scenario_interrupt(e2call):
    t = Terminal([e2call, "join", "--server", "ws://127.0.0.1:9/", "--room", "5",
                  "--secret-stdin"])
    t.wait_prompt()
    t.type(b"half a sec")  # typed, not ended
    t.type(b"\x03")  # Ctrl-C
    st = t.wait_exit()
    expect(os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGINT,
           f"Ctrl-C at the prompt: ended by SIGINT ({exit_text(st)})")
    expect(b"half a sec" not in t.shown, "Ctrl-C at the prompt: what was typed was not shown")
    expect(t.echo(), "Ctrl-C at the prompt: echo is back")


def scenario_suspend(e2call, secret):
    t = Terminal([e2call, "join", "--server", "ws://127.0.0.1:9/", "--room", "5",
                  "--secret-stdin"])
    t.wait_prompt()
    t.type(b"\x1a")  # Ctrl-Z
    t.pump(lambda: t.state() == "T", "stop after Ctrl-Z")
    expect(t.echo(), "Ctrl-Z at the prompt: stopped, echo is back meanwhile")
    os.kill(t.pid, signal.SIGCONT)
    t.pump(lambda: t.state() != "T" and not t.echo(), "echo off again after SIGCONT")
    expect(not t.echo(), "Ctrl-Z at the prompt: continued, echo is off again")
    t.type(secret.encode() + b"\n")
    st = t.wait_exit()
    expect(exit_text(st) == "exit 8", f"Ctrl-Z at the prompt: the secret was then accepted "
                                      f"({exit_text(st)})")
    expect(secret.encode() not in t.shown, "Ctrl-Z at the prompt: the secret was not shown")
    expect(t.echo(), "Ctrl-Z at the prompt: echo is back at the end")


def scenario_rekey(e2call, secret):
    t = Terminal([e2call, "rekey", "--control", "/nonexistent/e2call.sock", "--secret-stdin"])
    t.wait_prompt()
    expect(not t.echo(), "rekey: echo is off at the prompt")
    t.type(secret.encode() + b"\n")
    st = t.wait_exit()
    # Read and valid, then no call to give it to.
    expect(exit_text(st) == "exit 8", f"rekey: the secret was read ({exit_text(st)})")
    expect(secret.encode() not in t.shown, "rekey: the secret was not shown")
    expect(t.echo(), "rekey: echo is back")

    t = Terminal([e2call, "rekey", "--control", "/nonexistent/e2call.sock", "--secret-stdin"])
    t.wait_prompt()
    t.type(b"short7\n")
    st = t.wait_exit()
    expect(exit_text(st) == "exit 3" and b"6 characters, at least 8" in t.shown,
           f"rekey: a short secret is refused by its count ({exit_text(st)})")
    expect(b"short7" not in t.shown and t.echo(), "rekey: not shown, echo back")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        e2call = sys.argv[2]
        secret = "typed-" + os.urandom(6).hex() + "-E2cTty"
        scenario_read(e2call, secret)
        scenario_interrupt(e2call)
        scenario_suspend(e2call, secret)
        scenario_rekey(e2call, secret)
        if failures:
            sys.exit(1)
    elif len(sys.argv) >= 6 and sys.argv[1] == "type" and sys.argv[4] == "--":
        secret, transcript, cmd = sys.argv[2], sys.argv[3], sys.argv[5:]
        t = Terminal(cmd)
        t.wait_prompt()
        echoed = t.echo()
        t.type(secret.encode() + b"\n")
        st = t.wait_exit()
        with open(transcript, "wb") as f:
            f.write(t.shown)
        if echoed or not t.echo() or secret.encode() in t.shown:
            print(f"FAIL: echo at the prompt {echoed}, at the end {t.echo()}, the secret shown "
                  f"{secret.encode() in t.shown}", file=sys.stderr)
            sys.exit(1)
        sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
