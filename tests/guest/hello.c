// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test itself: t-proc execs this, built dynamic PIE, dynamic
 * non-PIE and static PIE, to check that each kind of ELF file runs.
 * Prints "hello KIND" and exits 42.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello %s\n", argc > 1 ? argv[1] : "?");
	return 42;
}
