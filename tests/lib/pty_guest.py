#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run a guest with a fresh pseudo-terminal as its console.

  pty_guest.py --log LOG [--wait REGEX --wait-timeout S] [--signal SIG]
               [--dialog FILE] [--exit-timeout S] [--guest-uid UID]
               -- COMMAND...

COMMAND runs as the leader of a new session whose controlling terminal is
the pty, like a program started from a terminal.  Its output goes to LOG;
LOG.pid and LOG.procs are written as tests/lib/guest.sh does.  --guest-uid
says COMMAND drops to user UID (we are root): the pty is given to that
user, as login would, and its other processes are recorded.  With --wait,
waits for REGEX on the console, then sends --signal (if given); then waits
for the end.  --dialog FILE plays a conversation with the console after
--wait: each line is NAME<TAB>SEND<TAB>REGEX<TAB>TIMEOUT; SEND (with
Python escapes such as \\r and \\x03) is typed, then REGEX is awaited in
the output that follows it.  Prints one key=value a line:

  reached=yes|no        REGEX appeared (always yes without --wait)
  step_NAME=ok|no       a --dialog step: its REGEX appeared in time
  status=N|timeout      exit status as a shell reports it (128+N: signal N)
  termios_before=...    `stty -g` of the pty before COMMAND started
  termios_after=...     and after it ended (see settle_termios)
"""

import argparse
import ctypes
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proctree  # noqa: E402

PR_SET_PDEATHSIG = 1


def stty_settings(fd):
    out = subprocess.run(['stty', '-g'], stdin=fd, capture_output=True,
                         text=True, check=False)
    return out.stdout.strip() or 'unreadable: ' + out.stderr.strip()


def spawn(cmd, slave):
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.execvp(cmd[0], cmd)
        except BaseException as e:  # noqa: B036 - must never return
            os.write(2, f'pty_guest: cannot run {cmd[0]}: {e}\n'.encode())
        os._exit(127)
    return pid


class Guest:
    def __init__(self, args, master):
        self.args = args
        self.master = master
        self.log = open(args.log, 'wb')
        self.text = ''
        self.pid = None
        self.status = None
        self.last_record = 0.0

    def record(self, force=False):
        """Note the guest's host processes, about once a second."""
        now = time.monotonic()
        if self.pid and self.status is None and (force or now - self.last_record >= 1):
            self.last_record = now
            lines = proctree.snapshot(self.pid, self.args.guest_uid)
            with open(self.args.log + '.procs', 'a') as f:
                f.writelines(line + '\n' for line in lines)

    def pump(self, timeout):
        """Copy console output to the log for up to TIMEOUT seconds."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: no slave side left open
            time.sleep(timeout)
            return False
        self.log.write(data)
        self.log.flush()
        self.text += data.decode(errors='replace')
        return bool(data)

    def reap(self):
        if self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(st)
                self.status = code if code >= 0 else 128 - code
        return self.status is not None

    def wait_for(self, regex, timeout, start=0):
        """Wait for REGEX in the output from offset START; the offset just
        past the match, or None."""
        pattern = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.text, start)
            if m:
                return m.end()
            if self.reap():
                self.drain()
                m = pattern.search(self.text, start)
                return m.end() if m else None
            if time.monotonic() >= deadline:
                return None
            self.record()
            self.pump(0.2)

    def dialog(self, path):
        """Play the steps of PATH; yields (name, ok)."""
        with open(path) as f:
            steps = [line.rstrip('\n').split('\t') for line in f
                     if line.strip() and not line.startswith('#')]
        for name, send, regex, timeout in steps:
            data = send.encode().decode('unicode_escape').encode()
            if len(data) == 1 and data[0] < 0x20 and data != b'\r':
                # A signal key: the shell prints a job's command line just
                # before it hands the job the terminal; give it a moment
                # so that the key reaches the job, not the shell.
                self.settle(1.0)
            start = len(self.text)
            if data:
                os.write(self.master, data)
            yield name, self.wait_for(regex, float(timeout), start) is not None

    def settle(self, seconds):
        """Keep copying output for SECONDS."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(max(0.0, deadline - time.monotonic()))

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reap():
                self.drain()
                return True
            self.record()
            self.pump(0.2)
        return False

    def drain(self):
        # Bounded: a leftover process could keep writing for ever.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and self.pump(0.1):
            pass

    def kill(self):
        if self.pid and not self.reap():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = 128 + signal.SIGKILL


def settle_termios(slave, before):
    """The pty's settings once the guest is gone.  A helper process may
    restore them a moment after the guest's main process ends, so poll for
    up to 10 s before settling on a differing answer."""
    deadline = time.monotonic() + 10
    while True:
        after = stty_settings(slave)
        if after == before or time.monotonic() > deadline:
            return after
        time.sleep(0.2)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--log', required=True)
    p.add_argument('--wait')
    p.add_argument('--wait-timeout', type=float, default=300)
    p.add_argument('--signal')
    p.add_argument('--dialog')
    p.add_argument('--exit-timeout', type=float, default=60)
    p.add_argument('--guest-uid', type=int)
    p.add_argument('command', nargs='+')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # Our own end (runner interrupted) must not leave the guest running:
    # these signals, and the runner's death, end us through the finally
    # below, which kills the guest.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    master, slave = os.openpty()
    if args.guest_uid is not None:
        os.fchown(slave, args.guest_uid, -1)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    before = stty_settings(slave)
    open(args.log + '.procs', 'w').close()
    guest = Guest(args, master)
    reached, ended = True, False
    steps = []
    try:
        guest.pid = spawn(args.command, slave)
        with open(args.log + '.pid', 'w') as f:
            f.write(f'{guest.pid}\n')
        guest.record(force=True)
        if args.wait:
            reached = guest.wait_for(args.wait, args.wait_timeout) is not None
        if reached and args.dialog:
            steps = list(guest.dialog(args.dialog))
        if reached and args.signal and not guest.reap():
            guest.record(force=True)
            os.kill(guest.pid, signal.Signals['SIG' + args.signal.upper()])
        if reached:
            guest.wait_exit(args.exit_timeout)
        ended = guest.reap()  # on its own, not killed by us below
    finally:
        guest.kill()
    # We keep our slave descriptor open throughout: the settings we read
    # afterwards are the very terminal's, not a freshly opened one's.
    after = settle_termios(slave, before)
    print(f'reached={"yes" if reached else "no"}')
    for name, ok in steps:
        print(f'step_{name}={"ok" if ok else "no"}')
    print(f'status={guest.status if ended else "timeout"}')
    print(f'termios_before={before}')
    print(f'termios_after={after}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
