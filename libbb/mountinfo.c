/* mountinfo.c - read /proc/self/mountinfo, one mount at a time */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "libbb.h"

/* The whole file, read fresh for each walk: the mount table changes as
 * pivotbox works.  Mount tables on busy hosts run to a few hundred KiB. */
static char table[1 << 20];

/* Kept open: /proc itself may be moved, or left behind, by a switch.
 * Reading from offset 0 again gives the table as it is now. */
static int table_fd = -1;

static int read_table(void)
{
  size_t len = 0;
  ssize_t got;

  if (table_fd < 0)
    table_fd = openat(AT_FDCWD, "/proc/self/mountinfo",
                      O_RDONLY | O_CLOEXEC);
  if (table_fd < 0) return -errno;
  while ((got = pread(table_fd, table + len, sizeof(table) - 1 - len,
                      len)) > 0)
    len += got;
  if (got < 0) got = -errno;
  else if (len == sizeof(table) - 1) got = -EFBIG;
  table[len] = 0;

  return got < 0 ? got : 0;
}

/* Undo the kernel's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
  char *to = s;

  for (; *s; s++) {
    if (*s == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
      *to++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
      s += 3;
    } else *to++ = *s;
  }
  *to = 0;
}

/* Split one line into a mount_info; the strings point into the line. */
static void parse_line(char *line, struct mount_info *info)
{
  char *field[6], *word, *rest = line;
  int i;

  for (i = 0; i < 6; i++) field[i] = strsep(&rest, " ");
  info->id = atoi(field[0]);
  info->parent_id = atoi(field[1]);
  unescape(field[4]);
  info->path = field[4];

  info->propagation = MS_PRIVATE;
  while ((word = strsep(&rest, " ")) && strcmp(word, "-")) {
    if (!strncmp(word, "shared:", 7)) info->propagation = MS_SHARED;
    else if (!strncmp(word, "master:", 7) && info->propagation != MS_SHARED)
      info->propagation = MS_SLAVE;
    else if (!strcmp(word, "unbindable")) info->propagation = MS_UNBINDABLE;
  }
  info->fstype = word ? strsep(&rest, " ") : "";
}

int mountinfo_walk(mount_fn *fn, void *ctx)
{
  char *rest = table, *line;
  int err = read_table();

  while (!err && (line = strsep(&rest, "\n")) && *line) {
    struct mount_info info;

    parse_line(line, &info);
    err = fn(ctx, &info);
  }

  return err < 0 ? err : 0;
}

struct lookup {
  const char *path;
  struct mount_info *found;
  int length;
  int containing;
};

static int match(void *ctx, const struct mount_info *info)
{
  struct lookup *want = ctx;
  int len = strlen(info->path);

  if (want->containing) {
    /* The longest mount point that is PATH or a parent of it; later
     * lines are mounted on top of earlier ones. */
    if (!path_is_below(want->path, info->path) || len < want->length)
      return 0;
  } else if (strcmp(want->path, info->path)) return 0;

  want->length = len;
  *want->found = *info;
  want->found->path = want->path;

  return 0;
}

int mount_at(const char *path, struct mount_info *info)
{
  struct lookup want = { path, info, -1, 0 };
  int err = mountinfo_walk(match, &want);

  if (err) return err;

  return want.length < 0 ? -ENOENT : 0;
}

int mount_containing(const char *path, struct mount_info *info,
                     char *mount_point)
{
  struct lookup want = { path, info, -1, 1 };
  int err = mountinfo_walk(match, &want);

  if (err) return err;
  if (want.length < 0) return -ENOENT;
  if (mount_point) {
    memcpy(mount_point, path, want.length);
    mount_point[want.length] = 0;
  }

  return 0;
}
