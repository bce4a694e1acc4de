# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The host tools on their own, no guest: tools/mkrootimg (the root image
# builder) and tools/ubd-cow (copy-on-write overlays: create, show, merge,
# and every way an overlay can be wrong).  Sourced by tests/run.

# shellcheck source=../lib/rootimg-checks.sh
. "$LIB/rootimg-checks.sh"
# shellcheck source=../lib/cow-checks.sh
. "$LIB/cow-checks.sh"

rootimg_checks
cow_checks
