/* mount.c - mount steps that can be planned, printed and taken back */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libbb.h"

enum step_mode step_mode;

const char *const api_mounts[API_MOUNT_COUNT] = {
  "/dev", "/proc", "/sys", "/run"
};

/* One step, in mount(8)'s words: "-n" prints the plan on stdout, "-v"
 * logs what is done on stderr. */
void step_print(const char *fmt, ...)
{
  char line[2 * PATH_MAX + 64];
  va_list ap;

  if (step_mode == STEP_QUIET) return;
  va_start(ap, fmt);
  vformat(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (step_mode == STEP_PLAN) out("%s", line);
  else msg("%s", line);
}

static const char *journal_keep(struct journal *journal, const char *s)
{
  size_t len = s ? strlen(s) + 1 : 0;
  char *copy = journal->strings + journal->used;

  if (!s) return 0;
  if (len > sizeof(journal->strings) - journal->used) return 0;
  memcpy(copy, s, len);
  journal->used += len;

  return copy;
}

int journal_add(struct journal *journal, enum undo_kind kind,
                unsigned long flags, const char *path, const char *other)
{
  struct undo *undo;

  /* No journal: the changes die with the caller's mount namespace. */
  if (!journal) return 0;
  undo = journal->changes + journal->count;
  if (journal->count == sizeof(journal->changes) / sizeof(*undo))
    return -ENOMEM;
  undo->kind = kind;
  undo->flags = flags;
  undo->path = journal_keep(journal, path);
  undo->other = journal_keep(journal, other);
  if (!undo->path || (other && !undo->other)) return -ENOMEM;
  journal->count++;

  return 0;
}

const char *propagation_name(unsigned long flags)
{
  if (flags & MS_SHARED) return "shared";
  if (flags & MS_SLAVE) return "slave";
  if (flags & MS_UNBINDABLE) return "unbindable";

  return "private";
}

static int undo_one(const struct undo *undo)
{
  switch (undo->kind) {
  case UNDO_RMDIR:
    step_print("undo: rmdir %s", undo->path);
    return rmdir(undo->path);
  case UNDO_UNMOUNT:
    step_print("undo: umount --lazy %s", undo->path);
    return umount2(undo->path, MNT_DETACH);
  case UNDO_MOVE:
    step_print("undo: mount --move %s %s", undo->path, undo->other);
    return mount(undo->path, undo->other, 0, MS_MOVE, 0);
  case UNDO_PROPAGATION:
    /* A shared mount comes back in a new peer group: the kernel can't
     * rejoin the old one. */
    step_print("undo: mount --make-%s %s", propagation_name(undo->flags),
               undo->path);
    return mount(0, undo->path, 0, undo->flags, 0);
  case UNDO_PIVOT:
    /* The old root is at path; put the new one back at other inside it. */
    step_print("undo: pivot_root %s %s%s", undo->path, undo->path,
               undo->other);
    if (chdir(undo->path)) return -1;
    if (syscall(SYS_pivot_root, ".", undo->other + 1)) return -1;
    return chdir("/");
  case UNDO_PIVOT_STACKED:
    /* The old root sits on top of "/": flags holds a descriptor of it. */
    step_print("undo: pivot_root / %s", undo->other);
    if (fchdir(undo->flags)) return -1;
    if (syscall(SYS_pivot_root, ".", undo->other + 1)) return -1;
    return chdir("/");
  }

  return 0;
}

void journal_undo(struct journal *journal)
{
  while (journal->count) {
    const struct undo *undo = journal->changes + --journal->count;

    if (undo_one(undo)) perror_msg(errno, "can't undo a step on '%s'",
                                   undo->path);
  }
  journal->used = 0;
}

struct created {
  struct journal *journal;
  int err;
};

static void note_created(void *ctx, const char *path)
{
  struct created *created = ctx;

  step_print("mkdir %s", path);
  if (!created->err)
    created->err = journal_add(created->journal, UNDO_RMDIR, 0, path, 0);
}

int step_mkdir_in_root(struct journal *journal, int root_fd,
                       const char *root, const char *path, char *resolved)
{
  struct created created = { journal, 0 };
  int fd;

  /* A plan only looks: it must not create what it would create. */
  fd = resolve_in_root(root_fd, root, path, resolved,
                       step_mode == STEP_PLAN ? 0 : note_created, &created);
  if (fd == -ENOENT && step_mode == STEP_PLAN) {
    step_print("mkdir -p %s%s", root, path);
    if (resolved) format(resolved, PATH_MAX, "%s%s", root, path);
    return 0;
  }
  if (fd < 0) return fd;
  close(fd);

  return created.err;
}

int step_propagation(struct journal *journal, const char *path,
                     unsigned long flags, unsigned long was)
{
  step_print("mount --make-%s%s %s", flags & MS_REC ? "r" : "",
             propagation_name(flags), path);
  if (step_mode == STEP_PLAN) return 0;
  if (mount(0, path, 0, flags, 0)) return -errno;
  if (!journal) return 0;

  return journal_add(journal, UNDO_PROPAGATION, was, path, 0);
}

int step_bind(struct journal *journal, const char *from, const char *to,
              unsigned long flags)
{
  step_print("mount --%sbind %s %s", flags & MS_REC ? "r" : "", from, to);
  if (step_mode == STEP_PLAN) return 0;
  if (mount(from, to, 0, MS_BIND | flags, 0)) return -errno;

  return journal_add(journal, UNDO_UNMOUNT, 0, to, 0);
}

int step_move(struct journal *journal, const char *from, const char *to)
{
  step_print("mount --move %s %s", from, to);
  if (step_mode == STEP_PLAN) return 0;
  if (mount(from, to, 0, MS_MOVE, 0)) return -errno;

  return journal_add(journal, UNDO_MOVE, 0, to, from);
}

/* NEW becomes "/" and the old root goes to OLD inside it; with OLD empty,
 * the old root is stacked on the new one, to be detached next, and
 * old_root_fd (a descriptor of the old "/") is what can take it back. */
int step_pivot(struct journal *journal, const char *new_root,
               const char *old_root, int old_root_fd)
{
  step_print("pivot_root %s %s%s", new_root, new_root,
             *old_root ? old_root : "");
  if (step_mode == STEP_PLAN) return 0;
  if (chdir(new_root)) return -errno;
  if (syscall(SYS_pivot_root, ".", *old_root ? old_root + 1 : ".")) {
    int err = -errno;

    chdir("/");
    return err;
  }
  if (!*old_root)
    return journal_add(journal, UNDO_PIVOT_STACKED, old_root_fd, "/",
                       new_root);

  return journal_add(journal, UNDO_PIVOT, 0, old_root, new_root);
}

int step_detach(const char *path)
{
  step_print("umount --lazy %s", path);
  if (step_mode == STEP_PLAN) return 0;

  return umount2(path, MNT_DETACH) ? -errno : 0;
}

int path_is_below(const char *path, const char *dir)
{
  size_t len = strlen(dir);

  if (len == 1) return *path == '/';

  return !strncmp(path, dir, len) && (!path[len] || path[len] == '/');
}

static const struct {
  unsigned long flag;
  const char *name;
} mount_flag_names[] = {
  { MS_REMOUNT, "remount" }, { MS_BIND, "bind" }, { MS_RDONLY, "ro" },
  { MS_NOSUID, "nosuid" }, { MS_NODEV, "nodev" }, { MS_NOEXEC, "noexec" },
};

int step_mount(struct journal *journal, const char *source,
               const char *target, const char *at, const char *fstype,
               unsigned long flags, const char *data)
{
  char options[256];
  size_t len = 0, i;

  /* What mount(8) would take as "-o": the flags by name, then DATA. */
  *options = 0;
  for (i = 0; i < sizeof(mount_flag_names) / sizeof(*mount_flag_names); i++)
    if (flags & mount_flag_names[i].flag)
      len += format(options + len, sizeof(options) - len, "%s%s",
                    len ? "," : "", mount_flag_names[i].name);
  if (data) format(options + len, sizeof(options) - len, "%s%s",
                   len ? "," : "", data);

  if (flags & MS_REMOUNT) step_print("mount -o %s %s", options, target);
  else if (flags & MS_BIND)
    step_print("mount --%sbind %s %s", flags & MS_REC ? "r" : "", source,
               target);
  else step_print("mount -t %s%s%s %s %s", fstype, *options ? " -o " : "",
                  options, source, target);
  if (step_mode == STEP_PLAN) return 0;
  if (mount(source, at ? at : target, fstype, flags, data)) return -errno;
  if (flags & MS_REMOUNT) return 0;

  return journal_add(journal, UNDO_UNMOUNT, 0, target, 0);
}

/* NEW is parked on top of SCRATCH while ROOT moves into it: stacked there,
 * it needs no directory made for it, and leaves nothing when it goes. */
int move_mount_tree(struct journal *journal, const char *root,
                    const char *new_root, const char *old_root,
                    const char *scratch)
{
  char old[PATH_MAX], parked[PATH_MAX];
  int err = 0, fd;

  if (path_is_below(scratch, root) || path_is_below(root, scratch))
    return -EINVAL;

  /* OLD is looked up inside NEW, the root it will be seen from. */
  if (*old_root) {
    fd = openat(AT_FDCWD, new_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    err = step_mkdir_in_root(journal, fd, new_root, old_root, old);
    close(fd);
    if (!err && !old[strlen(new_root)]) err = -EINVAL;
    if (!err && format(parked, PATH_MAX, "%s%s", scratch,
                       old + strlen(new_root)) >= PATH_MAX)
      err = -ENAMETOOLONG;
    if (err) return err;
  }

  /* TODO: a directory on the way to NEW that is swapped for a symlink
   * between the lookup and these steps (by someone who can write to the
   * image meanwhile) redirects them: MS_MOVE takes paths only. */
  err = step_bind(journal, new_root, new_root, MS_REC);
  if (!err) err = step_move(journal, new_root, scratch);
  if (!err)
    err = *old_root ? step_move(journal, root, parked) : step_detach(root);
  if (!err) err = step_move(journal, scratch, root);

  return err;
}
