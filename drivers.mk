# SPDX-License-Identifier: GPL-2.0
#
# The drivers built into ./linux, in the order their host halves are asked
# about parameters and print their --help lines.  Each is a top-level
# folder of that name, with its kernel half, its host half and its own
# boundary header; the kernel tree sees it as um-NAME.  Adding a driver is
# adding its folder and its name here (Documentation/drivers.rst).
UM_DRIVERS := ubd fuse-export control

# Host libraries the drivers' host halves use (ubd: libaio; fuse-export:
# libfuse3, for mounting through fusermount3).
UM_DRIVER_LIBS := -laio -lfuse3
