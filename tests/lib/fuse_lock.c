// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for the FUSE export's locks, built static so that the guest
 * (busybox, no flock(1), no Python) runs the same program as the host.
 *
 *   fuse_lock flock|posix FILE hold SECONDS
 *	Take an exclusive lock on FILE without waiting (exit 1 if another
 *	holds one), print "locked", hold it SECONDS, then exit 0.
 *   fuse_lock flock|posix FILE try
 *	Exit 0 if the lock can be had at once (it is let go), 1 if another
 *	holds it.
 *   fuse_lock flock|posix FILE wait
 *	Wait for the lock, print how many whole seconds that took.
 *   fuse_lock posix FILE test
 *	F_GETLK: print "free", or "held" if another holds a conflicting lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

static int take(int fd, int posix, int wait)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (!posix)
		return flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

int main(int argc, char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, posix;
	time_t start;

	if (argc < 4) {
		fprintf(stderr, "usage: fuse_lock flock|posix FILE hold N|try|wait|test\n");
		return 2;
	}
	posix = !strcmp(argv[1], "posix");
	fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (!strcmp(argv[3], "test")) {
		if (fcntl(fd, F_GETLK, &fl) < 0) {
			perror("F_GETLK");
			return 2;
		}
		puts(fl.l_type == F_UNLCK ? "free" : "held");
		return 0;
	}
	if (!strcmp(argv[3], "wait")) {
		start = time(NULL);
		if (take(fd, posix, 1) < 0) {
			perror("lock");
			return 2;
		}
		printf("%ld\n", (long)(time(NULL) - start));
		return 0;
	}
	if (take(fd, posix, 0) < 0) {
		if (errno == EAGAIN || errno == EACCES || errno == EWOULDBLOCK)
			return 1;
		perror("lock");
		return 2;
	}
	if (!strcmp(argv[3], "hold") && argc > 4) {
		puts("locked");
		fflush(stdout);
		sleep(atoi(argv[4]));
	}
	return 0;
}
