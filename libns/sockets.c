#include "sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "libc_compat.h"
#include "util.h"

static int sock_type(enum ns_socket_type t)
{
	return t == NS_SOCK_STREAM     ? SOCK_STREAM
	       : t == NS_SOCK_DATAGRAM ? SOCK_DGRAM
				       : SOCK_SEQPACKET;
}

/* Bound at mode 0: the umask hides the file until fchmodat gives it its mode. */
static int bind_hidden(int fd, const struct sockaddr_un *sa, struct ns_err *err)
{
	mode_t old = umask(0777);
	int r = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	umask(old);
	if (r < 0)
		return ns_err_sys(err, e, "bind '%s'", sa->sun_path);
	return 0;
}

static int set_owner_mode(int dirfd, const char *file, const struct ns_socket *s, const char *path,
			  struct ns_err *err)
{
	if ((s->has_uid || s->has_gid) &&
	    fchownat(dirfd, file, s->has_uid ? (uid_t)s->uid : (uid_t)-1,
		     s->has_gid ? (gid_t)s->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		return ns_err_sys(err, errno, "chown '%s'", path);
	/* a name swapped for a symlink must not hand its mode to the link's target */
	if (fchmodat(dirfd, file, (mode_t)s->mode, AT_SYMLINK_NOFOLLOW) < 0)
		return ns_err_sys(err, errno, "chmod '%s'", path);
	return 0;
}

int ns_socket_create(const char *dir, const char *file, const struct ns_socket *s,
		     struct ns_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return ns_err_set(err, ENAMETOOLONG,
				  "socket '%s/%s' is longer than the %zu bytes a Unix socket path "
				  "may have",
				  dir, file, sizeof(sa.sun_path) - 1);
	if (strchr(file, '/'))
		return ns_err_set(err, EINVAL, "socket name '%s' holds a '/'", file);
	ns_autoclose int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ns_err_sys(err, errno, "open the socket directory '%s'", dir);
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "remove the stale '%s'", sa.sun_path);
	ns_autoclose int fd = socket(AF_UNIX, sock_type(s->type) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ns_err_sys(err, errno, "socket for '%s'", sa.sun_path);
	int one = 1;
	if (s->has_passcred && s->passcred &&
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return ns_err_sys(err, errno, "SO_PASSCRED on '%s'", sa.sun_path);
	int r = bind_hidden(fd, &sa, err);
	if (r == 0)
		r = set_owner_mode(dirfd, file, s, sa.sun_path, err);
	if (r == 0 && s->type != NS_SOCK_DATAGRAM && listen(fd, NS_LISTEN_BACKLOG) < 0)
		r = ns_err_sys(err, errno, "listen on '%s'", sa.sun_path);
	if (r < 0) {
		(void)unlinkat(dirfd, file, 0);
		return r;
	}
	return ns_steal_fd(&fd);
}

int ns_socket_remove(const char *dir, const char *file, struct ns_err *err)
{
	ns_autoclose int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ns_err_sys(err, errno, "open the socket directory '%s'", dir);
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "remove '%s/%s'", dir, file);
	return 0;
}
