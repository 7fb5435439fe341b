/* resolve-print.c - print what resolve.c makes of a path inside a root
 *
 *   resolve-print [-l] ROOT PATH [create]
 *     The resolved path, or "error: ENAME" (exit 1).  With "create",
 *     missing directories are made, each reported as "created: PATH".
 *   resolve-print [-l] -x ROOT COMMAND [PATH_SEARCH]
 *     check_command_in_root(): "ok", or "bad: ERRNO: REASON" (exit 1).
 *
 * -l runs the lookup 100 times more, silently, and then prints
 * "leaked descriptors: N", so that tests/resolve.test catches a descriptor
 * left open on any way out.  The descriptor resolve_in_root() returns must
 * be the file the printed path names: when it is not, that is an error.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libbb.h"

static const struct applet resolve_print = { "resolve-print", 0, "", 1 };

static int quiet;

static const char *errno_name(int err)
{
  static const struct {
    int err;
    const char *name;
  } names[] = {
    { ENOENT, "ENOENT" }, { EACCES, "EACCES" }, { ENOTDIR, "ENOTDIR" },
    { ELOOP, "ELOOP" }, { ENOEXEC, "ENOEXEC" },
    { ENAMETOOLONG, "ENAMETOOLONG" },
  };
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(*names); i++)
    if (names[i].err == err) return names[i].name;

  return strerror(err);
}

static void print_created(void *ctx, const char *path)
{
  if (!quiet) out("created: %s", path);
}

static int resolve(const char *root, const char *path, int create)
{
  char resolved[PATH_MAX];
  struct stat by_fd, by_name;
  int root_fd, fd;

  root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) fd = -errno;
  else {
    fd = resolve_in_root(root_fd, root, path, resolved,
                         create ? print_created : 0, 0);
    close(root_fd);
  }
  if (fd < 0) {
    if (!quiet) out("error: %s", errno_name(-fd));
    return 1;
  }

  if (fstat(fd, &by_fd) || lstat(resolved, &by_name)
      || by_fd.st_dev != by_name.st_dev || by_fd.st_ino != by_name.st_ino) {
    if (!quiet) out("error: the descriptor is not %s", resolved);
    close(fd);
    return 1;
  }
  close(fd);
  if (!quiet) out("%s", resolved);

  return 0;
}

static int check(const char *root, const char *command,
                 const char *path_search)
{
  const char *reason;
  int err = check_command_in_root(root, command, path_search, &reason);

  if (quiet) return !!err;
  if (err) out("bad: %s: %s", errno_name(-err), reason);
  else out("ok");

  return !!err;
}

/* Descriptors open now, found without /proc. */
static int count_open(void)
{
  int fd, count = 0;

  for (fd = 0; fd < 1024; fd++)
    if (fcntl(fd, F_GETFD) >= 0) count++;

  return count;
}

int main(int argc, char **argv)
{
  int leak_check = 0, command = 0, status, before, i;

  applet = &resolve_print;
  for (argv++, argc--; argc && **argv == '-'; argv++, argc--) {
    if (!strcmp(*argv, "-l")) leak_check = 1;
    else if (!strcmp(*argv, "-x")) command = 1;
    else break;
  }
  if (argc < 2 || argc > 3
      || (!command && argc == 3 && strcmp(argv[2], "create")))
    die("usage: resolve-print [-l] [-x] ROOT PATH|COMMAND [create|SEARCH]");

  status = command ? check(argv[0], argv[1], argv[2])
                   : resolve(argv[0], argv[1], argc == 3);
  if (!leak_check) return status;

  quiet = 1;
  before = count_open();
  for (i = 0; i < 100; i++) {
    if (command) check(argv[0], argv[1], argv[2]);
    else resolve(argv[0], argv[1], argc == 3);
  }
  out("leaked descriptors: %d", count_open() - before);

  return status;
}
