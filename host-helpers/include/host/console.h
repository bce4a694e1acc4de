/* SPDX-License-Identifier: GPL-2.0 */
/* The console: the terminal (or whatever stdin and stdout are). */
#ifndef _HOST_CONSOLE_H
#define _HOST_CONSOLE_H

/* Write all of @buf to standard output.  Returns 0 or a negative errno. */
int host_console_write(const char *buf, unsigned int len);

/*
 * The same for kernel messages, which end lines with a bare newline: on a
 * raw terminal each becomes a carriage return and a newline.
 */
int host_console_write_log(const char *buf, unsigned int len);

/**
 * host_console_start_input() - start taking input from standard input.
 *
 * A terminal goes into raw mode (restored however the program ends);
 * readable input then raises HOST_IRQ_CONSOLE.  Returns 0 or -errno.
 */
int host_console_start_input(void);

/**
 * host_console_read() - read what input is there, without waiting.
 *
 * Returns the bytes read (0 if none), or -1 once input has ended.
 */
int host_console_read(char *buf, unsigned int len);

/* The kernel has read the input: wait for more. */
void host_console_input_done(void);

/* The terminal's size; 0, or -1 if standard output is no terminal. */
int host_console_size(unsigned short *rows, unsigned short *cols);

#endif /* _HOST_CONSOLE_H */
