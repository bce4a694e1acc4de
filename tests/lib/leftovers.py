#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Decide which new temporary files an ended guest left behind.

  leftovers.py RECORD-FILE PATH...

PATHs are entries that appeared in /tmp or /dev/shm while the guest ran,
owned by the user it ran as; RECORD-FILE is its record (see proctree.py
snapshot).  Other programs of that user may have run meanwhile, so each
PATH that still exists is sorted out:

  ours PATH    the guest's processes held it, or something beneath it
  unsure PATH  no evidence either way
  (nothing)    a live process holds it or something beneath it now: it is
               in use by someone else, since the guest has ended
and then, for judging the unsure ones:
  foreign ...  each process of the guest's user that was not the guest's,
               seen while it ran (recorded only when the runner is root)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proctree  # noqa: E402


def covers(entry, paths):
    return any(p == entry or p.startswith(entry + '/') for p in paths)


def in_use_now():
    sockets = proctree.unix_socket_paths()
    # A bound socket file in use may not show in any fd we can read.
    paths = set(sockets.values())
    for name in os.listdir('/proc'):
        if name.isdigit():
            paths |= proctree.open_paths(name, sockets)
    return paths


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    held, foreign = set(), set()
    with open(argv[1]) as f:
        for line in f:
            tag, _, rest = line.rstrip('\n').partition(' ')
            if tag == 'held':
                held.add(rest)
            elif tag == 'foreign':
                foreign.add(rest)
    busy = in_use_now()
    for entry in argv[2:]:
        if not os.path.lexists(entry):
            continue
        if covers(entry, held):
            print(f'ours {entry}')
        elif not covers(entry, busy):
            print(f'unsure {entry}')
    for desc in sorted(foreign):
        print(f'foreign {desc}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
