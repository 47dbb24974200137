/* Small shared helpers: scoped cleanup and array sizes. */
#ifndef NS_UTIL_H
#define NS_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void ns_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static inline void ns_freep(void *p)
{
	free(*(void **)p);
	*(void **)p = NULL;
}

static inline void ns_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

static inline void ns_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
	*d = NULL;
}

#define ns_autoclose	__attribute__((cleanup(ns_closep)))
#define ns_autofree	__attribute__((cleanup(ns_freep)))
#define ns_autofclose	__attribute__((cleanup(ns_fclosep)))
#define ns_autoclosedir __attribute__((cleanup(ns_closedirp)))

/* A directory stream on a copy of fd (fd stays the caller's), or NULL with errno set.
 * The copy shares fd's offset: a second stream on the same fd starts where one ended. */
static inline DIR *ns_opendir_dup(int fd)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	if (!d && dup >= 0) {
		int e = errno;
		close(dup);
		errno = e;
	}
	return d;
}

/* Hands an fd on: the scoped variable no longer closes it. */
static inline int ns_steal_fd(int *fd)
{
	int t = *fd;
	*fd = -1;
	return t;
}

/* Hands a pointer on: the scoped variable no longer frees it. */
static inline void *ns_steal_ptr(void *pp)
{
	void **p = pp;
	void *t = *p;
	*p = NULL;
	return t;
}

#endif
