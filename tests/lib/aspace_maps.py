#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what the host sees mapped in a guest's address-space processes.

  aspace_maps.py PID    PID: the guest's kernel process

The address-space processes are the host processes PID traces.  Each may
map only guest memory: shared mappings of the guest-memory file, which are
the guest program's own pages and the stub's code and data pages at
STUB_CODE.  The host kernel's [vsyscall] page is in every process and
cannot be unmapped, so it is allowed, and so is the host's vDSO (its
[vvar*] and [vdso] mappings) where the kernel puts it again for the
guest's vDSO, at HOST_VDSO_AT; nothing else is (no part of the kernel's
binary, no C library, no heap or stack of the host, no vDSO elsewhere).
Succeeds if at least one such process was found, each has the stub and
guest pages, and none maps anything else.  Prints what it found.
"""

import os
import sys

# host-helpers/include/host/stub.h
STUB_CODE = 0x7fc0000000
STUB_END = STUB_CODE + 9 * 4096
# host-helpers/include/host/vdso.h; the host's vDSO is a few pages.
HOST_VDSO_AT = 0x7fc0100000
HOST_VDSO_END = HOST_VDSO_AT + 64 * 4096


def traced_by(pid):
    found = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open(f'/proc/{name}/status') as f:
                for line in f:
                    if line.startswith('TracerPid:'):
                        if int(line.split()[1]) == pid:
                            found.append(int(name))
                        break
        except OSError:
            continue
    return found


def check(aspace):
    """A list of problems with one address-space process."""
    problems, stub, guest = [], False, 0
    with open(f'/proc/{aspace}/maps') as f:
        lines = f.read().splitlines()
    for line in lines:
        fields = line.split(None, 5)
        addr, perms = fields[0], fields[1]
        path = fields[5].strip() if len(fields) == 6 else ''
        start, end = (int(x, 16) for x in addr.split('-'))
        if path == '[vsyscall]':
            continue
        if (path.startswith('[vvar') or path == '[vdso]') and \
                HOST_VDSO_AT <= start and end <= HOST_VDSO_END:
            continue
        if 'memfd:' not in path or perms[3] != 's':
            problems.append(f'{aspace}: not guest memory: {line}')
        elif STUB_CODE <= start and end <= STUB_END:
            stub = True
        else:
            guest += 1
    if not stub:
        problems.append(f'{aspace}: no stub mapping at {STUB_CODE:#x}')
    if not guest:
        problems.append(f'{aspace}: no guest pages mapped')
    print(f'{aspace}: {len(lines)} mappings, stub {"yes" if stub else "no"}, '
          f'{guest} of guest memory')
    return problems


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    aspaces = traced_by(int(argv[1]))
    if not aspaces:
        print('no address-space process traced by', argv[1])
        return 1
    problems = []
    for aspace in aspaces:
        try:
            problems += check(aspace)
        except OSError as e:
            problems.append(f'{aspace}: cannot read maps: {e}')
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
