/* pivotroot.c - make a directory the root of the running system
 *
 * The last step of an initramfs, an overlay switch or a jump into another
 * deployment: NEW becomes "/", the old root stays at OLD inside it or is
 * detached, and COMMAND, if given, is exec'd in the new root.
 */

//config:config PIVOTROOT
//config:	bool "pivotroot"
//config:	default y
//config:	help
//config:	  pivotroot [-nvk] [-c CONSOLE] NEW[:OLD] [COMMAND [ARG...]]
//config:
//config:	  Make directory NEW the root of the running system, keeping
//config:	  the old root at OLD inside it, or detaching it.
//applet:APPLET(pivotroot, 1)

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libbb.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

const char pivotroot_usage[] =
  "usage: pivotroot [-nvk] [-c CONSOLE] NEW[:OLD] [COMMAND [ARG...]]\n"
  "\n"
  "Make directory NEW the root of the running system. The old root is\n"
  "kept at OLD inside NEW, or detached when OLD is empty. With COMMAND,\n"
  "chdir to / and exec it (as an initramfs /init's last line would).\n"
  "A backslash escapes a ':' or a '\\' in the paths.\n"
  "\n"
  "-n          print the plan, change nothing\n"
  "-v          print each step as it is done\n"
  "-k          keep /dev, /proc, /sys and /run where they are\n"
  "-c CONSOLE  reopen stdin, stdout and stderr on CONSOLE (in NEW)\n";


struct switch_state {
  struct spec spec;
  char new_root[PATH_MAX];   /* NEW with its symlinks resolved */
  char old_root[PATH_MAX];   /* NEW + OLD resolved, or empty */
  const char *console;
  int keep_api;
  int new_fd, old_root_fd, console_fd;
  struct journal journal;
};

/* Print why a step failed, take back every change made so far, exit 1. */
static _Noreturn void rollback(struct switch_state *s, int err,
                               const char *hint, const char *fmt, ...)
{
  char what[2 * PATH_MAX];
  va_list ap;

  va_start(ap, fmt);
  vformat(what, sizeof(what), fmt, ap);
  va_end(ap);
  if (hint) msg("can't %s: %s (%s)", what, strerror(-err), hint);
  else perror_msg(err, "can't %s", what);
  journal_undo(&s->journal);
  exit(1);
}

/* The classic reasons pivot_root(2) answers EINVAL. */
static const char *pivot_hint(const char *new_root)
{
  struct mount_info info;

  if (mount_at("/", &info)) return "is this a chroot?";
  if (info.propagation == MS_SHARED) return "the root mount is shared";
  if (mount_at(new_root, &info)) return "NEW is not a mount point";
  if (mount_containing(new_root, &info, 0) == 0 &&
      info.propagation == MS_SHARED)
    return "NEW's parent mount is shared";

  return "is OLD outside NEW, or is this a chroot?";
}

/* Shared mounts would pass a change on to their peers, and pivot_root(2)
 * refuses a shared root or parent: make those private, for the journal
 * to restore. */
static void make_private(struct switch_state *s, const char *path,
                         const struct mount_info *info)
{
  int err;

  if (info->propagation != MS_SHARED) return;
  err = step_propagation(&s->journal, path, MS_PRIVATE, MS_SHARED);
  if (err) rollback(s, err, 0, "make '%s' private", path);
}

static int outside_new(void *ctx, const struct mount_info *info)
{
  struct switch_state *s = ctx;

  if (!path_is_below(info->path, s->new_root))
    make_private(s, info->path, info);

  return 0;
}

/* root: the mount at "/", or NULL when the mount table can't be read. */
static void prepare_propagation(struct switch_state *s,
                                const struct mount_info *root)
{
  char parent[PATH_MAX];
  struct mount_info info;
  int err;

  if (root) make_private(s, "/", root);
  if (!mount_containing(s->new_root, &info, parent) && strcmp(parent, "/"))
    make_private(s, parent, &info);

  /* NEW need not be a mount point: make it one, with what is below it. */
  err = mount_at(s->new_root, &info);
  if (err == -ENOENT) {
    err = step_bind(&s->journal, s->new_root, s->new_root, MS_REC);
    if (err) rollback(s, err, 0, "bind '%s'", s->new_root);
  } else if (!err) make_private(s, s->new_root, &info);
  if (err) rollback(s, err, 0, "read the mounts of '%s'", s->new_root);
}

static void move_api_mounts(struct switch_state *s)
{
  size_t i;

  for (i = 0; i < API_MOUNT_COUNT; i++) {
    const char *from = api_mounts[i];
    char to[PATH_MAX];
    struct mount_info info;
    struct stat st;
    int fd, err;

    if (mount_at(from, &info)) continue;
    fd = resolve_in_root(s->new_fd, s->new_root, from, to, 0, 0);
    if (fd < 0) continue;
    err = fstat(fd, &st) ? -errno : 0;
    close(fd);
    if (err || !S_ISDIR(st.st_mode)) continue;

    err = step_move(&s->journal, from, to);
    /* A user namespace locks the mounts it inherited in place: those can
     * be bound into NEW, not moved. */
    if (err == -EINVAL && !step_bind(&s->journal, from, to, MS_REC))
      continue;
    if (err)
      rollback(s, err, err == -EINVAL ? "is its parent mount shared?" : 0,
               "move '%s' to '%s'", from, to);
  }
}

static void open_console(struct switch_state *s)
{
  char path[PATH_MAX];
  int fd = resolve_in_root(s->new_fd, s->new_root, s->console, path, 0, 0);

  step_print("open %s", fd < 0 ? s->console : path);
  if (fd >= 0) {
    close(fd);
    if (step_mode == STEP_PLAN) return;
    fd = openat(AT_FDCWD, path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fd = -errno;
  }
  if (fd < 0) rollback(s, fd, 0, "open console '%s'", s->console);
  s->console_fd = fd;
}

/* The initramfs can't be pivoted away from: move NEW over it and chroot,
 * as switch_root(8) does. */
static void switch_from_initramfs(struct switch_state *s)
{
  int err = 0;

  if (*s->old_root) {
    err = step_bind(&s->journal, "/", s->old_root, 0);
    if (err) rollback(s, err, 0, "bind '/' to '%s'", s->old_root);
  }

  step_print("mount --move %s /", s->new_root);
  step_print("chroot %s", s->new_root);
  if (step_mode == STEP_PLAN) return;
  if (chdir(s->new_root) || mount(".", "/", 0, MS_MOVE, 0))
    rollback(s, -errno, 0, "move '%s' to '/'", s->new_root);
  /* TODO: a chroot that fails after the move is not rolled back; it needs
   * only the CAP_SYS_CHROOT that the move before it needed too. */
  if (chroot(".") || chdir("/"))
    perror_die(errno, "can't chroot to '%s'", s->new_root);
}

/* Delete what the old initramfs held, to give its memory back: only on
 * ramfs or tmpfs, never crossing into another mount, and never into
 * keep, the new root's own directory when it lives in the initramfs. */
static void delete_tree(int dir_fd, const struct stat *keep)
{
  char buf[4096];
  long len;

  while ((len = syscall(SYS_getdents64, dir_fd, buf, sizeof(buf))) > 0) {
    long at;

    for (at = 0; at < len; ) {
      struct dirent *entry = (struct dirent *)(buf + at);
      const char *name = entry->d_name;
      struct stat st;
      int fd;

      at += entry->d_reclen;
      if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
      if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) ||
          st.st_dev != keep->st_dev ||
          (st.st_ino == keep->st_ino && S_ISDIR(st.st_mode)))
        continue;
      if (S_ISDIR(st.st_mode)) {
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                    O_CLOEXEC);
        if (fd < 0) continue;
        delete_tree(fd, keep);
        close(fd);
      }
      unlinkat(dir_fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
    }
  }
}

static void free_initramfs(struct switch_state *s)
{
  struct statfs fs;
  struct stat root, keep;

  step_print("rm -rf the old initramfs");
  if (step_mode == STEP_PLAN) return;
  if (fstatfs(s->old_root_fd, &fs) || fstat(s->old_root_fd, &root) ||
      fstat(s->new_fd, &keep))
    return;
  /* A new root on a file system of its own has nothing to keep here. */
  if (keep.st_dev != root.st_dev) keep.st_dev = root.st_dev, keep.st_ino = 0;
  if (fs.f_type == RAMFS_MAGIC || fs.f_type == TMPFS_MAGIC)
    delete_tree(s->old_root_fd, &keep);
}

static void switch_root(struct switch_state *s)
{
  struct mount_info root;
  struct statfs fs;
  const char *reason;
  int initramfs, have_root, err;

  /* Without /proc there is no mount table: a ramfs or tmpfs "/" is then
   * taken for the initramfs, which the move and chroot handle anyway. */
  have_root = !mount_at("/", &root);
  if (have_root) initramfs = !strcmp(root.fstype, "rootfs");
  else initramfs = !statfs("/", &fs) && (fs.f_type == RAMFS_MAGIC ||
                                         fs.f_type == TMPFS_MAGIC);

  /* The first change: OLD is made inside NEW when it is missing. */
  if (*s->spec.old_root) {
    err = step_mkdir_in_root(&s->journal, s->new_fd, s->new_root,
                             s->spec.old_root, s->old_root);
    if (err) rollback(s, err, 0, "create '%s%s'", s->new_root,
                      s->spec.old_root);
  }

  prepare_propagation(s, have_root ? &root : 0);
  if (!s->keep_api) move_api_mounts(s);
  if (s->console) open_console(s);

  s->old_root_fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY |
                          O_CLOEXEC);
  if (s->old_root_fd < 0) rollback(s, -errno, 0, "open '/'");

  if (initramfs) {
    switch_from_initramfs(s);
    if (!*s->old_root) free_initramfs(s);
  } else {
    const char *old = *s->old_root ? s->old_root + strlen(s->new_root) : "";

    /* Detaching a tree with shared mounts would unmount their peers. */
    if (!*old) mountinfo_walk(outside_new, s);

    err = step_pivot(&s->journal, s->new_root, old, s->old_root_fd);
    reason = err == -EINVAL ? pivot_hint(s->new_root) : 0;
    if (err) rollback(s, err, reason, "pivot_root to '%s'", s->new_root);

    if (!*old && (err = step_detach(".")))
      rollback(s, err, 0, "detach the old root");
    if (step_mode != STEP_PLAN && chdir("/"))
      rollback(s, -errno, 0, "chdir to '/'");
  }
  close(s->old_root_fd);
}

/* Options and spec into s; returns COMMAND's argv, maybe empty. */
static char **parse_options(char **argv, struct switch_state *s)
{
  struct option_state o = { .next = 1 };
  int opt;

  while ((opt = option_next(&o, argv, "nvkc:", 0)) != -1) {
    switch (opt) {
    case 'n': step_mode = STEP_PLAN; break;
    case 'v': if (step_mode != STEP_PLAN) step_mode = STEP_VERBOSE; break;
    case 'k': s->keep_api = 1; break;
    case 'c': s->console = o.arg; break;
    }
  }
  if (!argv[o.next]) {
    msg("missing NEW[:OLD]");
    usage_die();
  }
  xspec_parse(argv[o.next], &s->spec);

  return argv + o.next + 1;
}

int pivotroot_main(int argc, char **argv)
{
  static struct switch_state s;
  const char *reason;
  struct stat st;
  int err;

  s.console_fd = -1;
  argv = parse_options(argv, &s);

  /* Everything that can be checked is checked before the first change. */
  if ((err = real_path(s.spec.new_root, s.new_root)))
    perror_die(err, "can't switch to '%s'", s.spec.new_root);
  if (stat(s.new_root, &st))
    perror_die(errno, "can't switch to '%s'", s.spec.new_root);
  if (!S_ISDIR(st.st_mode))
    perror_die(ENOTDIR, "can't switch to '%s'", s.spec.new_root);
  if (!strcmp(s.new_root, "/"))
    die("can't switch to '%s': it is the root already", s.spec.new_root);
  s.new_fd = openat(AT_FDCWD, s.new_root, O_PATH | O_DIRECTORY |
                    O_CLOEXEC);
  if (s.new_fd < 0) perror_die(errno, "can't open '%s'", s.new_root);
  if (*argv) {
    err = check_command_in_root(s.new_root, *argv, getenv("PATH"), &reason);
    if (err) die("can't run '%s' in '%s': %s", *argv, s.new_root, reason);
  }
  if (s.console) {
    int fd = resolve_in_root(s.new_fd, s.new_root, s.console, 0, 0, 0);

    /* A console under NEW's /dev appears only when /dev is moved there. */
    if (fd == -ENOENT && !s.keep_api && !strncmp(s.console, "/dev/", 5))
      fd = 0;
    else if (fd >= 0) close(fd);
    if (fd < 0) perror_die(fd, "can't open console '%s'", s.console);
  }

  switch_root(&s);
  close(s.new_fd);
  if (step_mode == STEP_PLAN) return 0;

  if (s.console_fd >= 0) {
    dup2(s.console_fd, 0);
    dup2(s.console_fd, 1);
    dup2(s.console_fd, 2);
    close(s.console_fd);
  }
  if (!*argv) return 0;

  /* TODO: an exec that fails after the switch (the checks above passed)
   * can't be rolled back once the old root is detached. */
  perror_die(exec_command(argv), "can't execute '%s'", *argv);
}
