// SPDX-License-Identifier: GPL-2.0
/* Structure offsets for the assembly files (include/generated/asm-offsets.h). */
#include <linux/kbuild.h>
#include <linux/sched.h>

int main(void)
{
	DEFINE(TASK_THREAD_SP, offsetof(struct task_struct, thread.frame.sp));
	return 0;
}
