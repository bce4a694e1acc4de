#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Track the host processes a guest starts, through /proc.

A guest's processes are the guest itself, its descendants and, since the
runner starts every guest as a session leader, the members of its session
(a child that was reparented before we looked still carries the session id).
A process is named "pid:starttime" so a reused pid is never mistaken for it.

  proctree.py snapshot PID [UID]  what PID's processes are and hold now, as
                                  lines for a guest's record file:
                                    proc PID:STARTTIME  one of its processes
                                    held PATH   a temporary file one of them
                                                has open, mapped or as cwd
                                    foreign PID ... with UID: a process of
                                                that user that is not theirs
  proctree.py survivors FILE SID  print recorded processes still alive, and
                                  any process still in session SID
  proctree.py kill FILE SID       SIGKILL what survivors would print
  proctree.py cputime PID         host CPU seconds used by PID's processes,
                                  including their reaped children
  proctree.py traced PID          the processes of PID's family that another
                                  of them traces (a guest's address-space
                                  processes), oldest first
"""

import os
import signal
import sys

# Where guests may keep temporary files; see tests/lib/hoststate.sh.
TMP_PLACES = ('/tmp/', '/dev/shm/')


def read_stat(pid):
    """The fields of /proc/PID/stat we use, or None if PID is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            data = f.read()
    except OSError:
        return None
    # comm may hold spaces and parentheses; it ends at the last ')'.
    rest = data[data.rindex(')') + 2:].split()
    return {
        'pid': int(pid),
        'state': rest[0],
        'ppid': int(rest[1]),
        'sid': int(rest[3]),
        'ticks': sum(int(x) for x in rest[11:15]),  # utime stime cutime cstime
        'start': int(rest[19]),
    }


def process_table():
    table = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            st = read_stat(name)
            if st:
                table[st['pid']] = st
    return table


def family(root, table):
    """ROOT, the members of the session it leads and all their descendants.
    The session outlives ROOT, so what ROOT left behind is found too."""
    todo = [p for p, st in table.items() if p == root or st['sid'] == root]
    children = {}
    for st in table.values():
        children.setdefault(st['ppid'], []).append(st['pid'])
    found = set()
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return [table[p] for p in sorted(found)]


def unix_socket_paths():
    """{inode: path} of the bound unix sockets that exist now."""
    paths = {}
    try:
        with open('/proc/net/unix') as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) >= 8:
                    paths[fields[6]] = fields[7]
    except OSError:
        pass
    return paths


def open_paths(pid, sockets):
    """Paths process PID has open (files, bound sockets), mapped or as cwd."""
    base = f'/proc/{pid}'
    paths = set()
    try:
        paths.add(os.readlink(f'{base}/cwd'))
        for fd in os.listdir(f'{base}/fd'):
            target = os.readlink(f'{base}/fd/{fd}')
            if target.startswith('socket:['):
                target = sockets.get(target[8:-1], '')
            paths.add(target)
        with open(f'{base}/maps') as f:
            for line in f:
                fields = line.split(None, 5)
                if len(fields) == 6:
                    paths.add(fields[5].strip())
    except OSError:  # gone meanwhile, or not ours to read
        pass
    return {p.removesuffix(' (deleted)') for p in paths if p}


def snapshot(root, uid=None):
    table = process_table()
    ours = family(root, table)
    lines = [f"proc {st['pid']}:{st['start']}" for st in ours]
    sockets = unix_socket_paths()
    held = set()
    for st in ours:
        held.update(p for p in open_paths(st['pid'], sockets)
                    if p.startswith(TMP_PLACES))
    lines += [f'held {p}' for p in sorted(held)]
    if uid is not None:
        mine = {st['pid'] for st in ours}
        for pid in table:
            try:
                if pid not in mine and os.stat(f'/proc/{pid}').st_uid == uid:
                    lines.append(f'foreign {describe(pid)}')
            except OSError:
                pass
    return lines


def alive(st):
    # A zombie has ended; only its parent's wait is missing.
    return st is not None and st['state'] not in ('Z', 'X')


def survivors(record_file, sid):
    table = process_table()
    left = set()
    with open(record_file) as f:
        for line in f:
            tag, _, word = line.strip().partition(' ')
            if tag != 'proc':
                continue
            pid, start = (int(x) for x in word.split(':'))
            st = table.get(pid)
            if alive(st) and st['start'] == start:
                left.add(pid)
    # The session leader's own pid is excluded: once the guest is gone, a
    # new leader with that pid would be someone else's process.
    left.update(p for p, st in table.items()
                if st['sid'] == sid and p != sid and alive(st))
    return sorted(left)


def describe(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            cmd = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
        with open(f'/proc/{pid}/comm') as f:
            comm = f.read().strip()
    except OSError:
        return f'{pid} (gone)'
    return f'{pid} {comm}: {cmd}'


def cputime(root):
    ticks = sum(st['ticks'] for st in family(root, process_table()))
    return ticks / os.sysconf('SC_CLK_TCK')


def tracer_of(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('TracerPid:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def traced(root):
    members = family(root, process_table())
    pids = {st['pid'] for st in members}
    found = [st for st in members if tracer_of(st['pid']) in pids]
    return [st['pid'] for st in sorted(found, key=lambda st: st['start'])]


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ''
    if cmd == 'snapshot' and len(argv) in (3, 4):
        uid = int(argv[3]) if len(argv) == 4 else None
        for line in snapshot(int(argv[2]), uid):
            print(line)
    elif cmd == 'survivors' and len(argv) == 4:
        for pid in survivors(argv[2], int(argv[3])):
            print(describe(pid))
    elif cmd == 'kill' and len(argv) == 4:
        for pid in survivors(argv[2], int(argv[3])):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    elif cmd == 'traced' and len(argv) == 3:
        for pid in traced(int(argv[2])):
            print(pid)
    elif cmd == 'cputime' and len(argv) == 3:
        print(f'{cputime(int(argv[2])):.2f}')
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
