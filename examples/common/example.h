/* Small helpers every example uses: output that reaches the runtime's log line by line,
 * and the environment the runtime gives a container (NORTHSTAR_*). */
#ifndef EXAMPLE_H
#define EXAMPLE_H

/* Makes stdout line buffered. A container's stdout is a pipe to the runtime, which logs
 * whole lines; with the default full buffering nothing would show up for a long time. */
void ex_line_buffered(void);

/* getenv with a fallback for the variable being unset or empty. */
const char *ex_env(const char *name, const char *fallback);

/* The fd number in the variable (NORTHSTAR_CONSOLE, NORTHSTAR_SOCKET_<name>), or -1
 * when it is unset or not a non-negative number. */
int ex_env_fd(const char *name);

/* Sleeps for ms milliseconds, continuing after signal handlers. */
void ex_sleep_ms(unsigned ms);

/* Prints "<prog>: <message>" to stderr and exits with status 1. */
void ex_die(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* The container's id "name:version" (NORTHSTAR_CONTAINER), or fallback outside one. */
const char *ex_container(const char *fallback);

#endif
