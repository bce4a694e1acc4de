#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sample the host mappings of a guest's address-space processes.

  mapcount.py PID [INTERVAL]

PID is the guest's kernel process; its address-space processes are the
host processes it traces.  Every INTERVAL seconds (default 0.2) until PID
ends, counts the lines of each one's /proc/N/maps.  Then prints one line:
  max=M samples=S processes=P
M the most mappings one address-space process held in any sample, S the
samples taken, P the address-space processes seen.
"""

import os
import sys
import time

from aspace_maps import traced_by


def count_maps(pid):
    try:
        with open(f'/proc/{pid}/maps', 'rb') as f:
            return f.read().count(b'\n')
    except OSError:
        return 0


def main():
    pid = int(sys.argv[1])
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    most, samples, seen = 0, 0, set()
    while os.path.exists(f'/proc/{pid}'):
        for aspace in traced_by(pid):
            seen.add(aspace)
            most = max(most, count_maps(aspace))
        samples += 1
        time.sleep(interval)
    print(f'max={most} samples={samples} processes={len(seen)}')


if __name__ == '__main__':
    main()
