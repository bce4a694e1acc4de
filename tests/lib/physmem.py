#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that a guest's physical memory is a shared memfd mapping.

  physmem.py PID SIZE    SIZE as mem= takes it: 256M, 1G, 4096K, bytes

Succeeds if PID has a shared mapping of a memfd file covering at least SIZE
bytes of that file.  The kernel may map one file in several pieces, so the
file offsets its mappings cover are added up (overlaps counted once).
Prints what it found either way.
"""

import sys

UNITS = {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}


def parse_size(text):
    text = text.upper()
    unit = text[-1] if text[-1:] in UNITS else ''
    return int(text[:len(text) - len(unit)]) * UNITS[unit]


def memfd_coverage(pid):
    """{(inode, path): bytes of that file covered by shared mappings}"""
    ranges = {}
    with open(f'/proc/{pid}/maps') as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) < 6 or 'memfd:' not in fields[5]:
                continue
            addr, perms, offset, _dev, inode, path = fields
            if perms[3] != 's':
                continue
            start, end = (int(x, 16) for x in addr.split('-'))
            off = int(offset, 16)
            key = (inode, path.strip())
            ranges.setdefault(key, []).append((off, off + end - start))
    return {key: union_length(r) for key, r in ranges.items()}


def union_length(ranges):
    total, reach = 0, 0
    for lo, hi in sorted(ranges):
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    want = parse_size(argv[2])
    try:
        found = memfd_coverage(int(argv[1]))
    except OSError as e:
        print(f'cannot read maps: {e}')
        return 1
    if not found:
        print('no shared memfd mapping')
        return 1
    (_inode, path), size = max(found.items(), key=lambda kv: kv[1])
    print(f'{path}: {size >> 20} MiB mapped shared, want {want >> 20} MiB')
    return 0 if size >= want else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
