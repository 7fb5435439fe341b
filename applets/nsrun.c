/* nsrun.c - run a command in new namespaces, inside a root directory
 *
 * A recovery shell into an installed system, or a test of an image:
 * systemd-nspawn's --directory and --pivot-root, in a few kilobytes.
 */

//config:config NSRUN
//config:	bool "nsrun"
//config:	default y
//config:	help
//config:	  nsrun [OPTIONS] [--] COMMAND [ARG...]
//config:
//config:	  Run COMMAND in a new mount namespace (and others on request)
//config:	  inside a root directory, with systemd-nspawn's --pivot-root.
//applet:APPLET(nsrun, 125)

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libbb.h"

/* close_range(2) flag, Linux 5.11; musl's headers don't have it. */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

const char nsrun_usage[] =
  "usage: nsrun [OPTIONS] [--] COMMAND [ARG...]\n"
  "\n"
  "Run COMMAND in a new mount namespace, inside a root directory.\n"
  "Paths for -P, -b, -r, -t and -w are resolved inside DIR.\n"
  "\n"
  "-D, --directory=DIR     root of the image to run in\n"
  "-P, --pivot-root=NEW[:OLD]\n"
  "                        NEW (in DIR) becomes /, DIR's root goes to OLD\n"
  "                        or is dropped when OLD is empty\n"
  "-b, --bind=SRC[:DST]    bind host SRC at DST (default SRC)\n"
  "-r, --bind-ro=SRC[:DST] the same, read-only\n"
  "-t, --tmpfs=DST         a tmpfs at DST\n"
  "-p, --pid               new PID namespace (COMMAND is PID 1)\n"
  "-2, --as-pid2           with --pid, a tiny init is PID 1, COMMAND PID 2\n"
  "-u, --uts  -i, --ipc  -n, --net (loopback up)  -C, --cgroup  -T, --time\n"
  "                        the other namespaces\n"
  "-U, --user              new user namespace, caller mapped to root\n"
  "-h, --hostname=NAME     set the hostname (implies --uts)\n"
  "-w, --chdir=DIR         working directory (default /)\n"
  "    --host-dev          bind the host's /dev instead of a minimal one\n"
  "    --no-api            mount no /proc, /sys or /dev\n"
  "-v, --verbose           print each mount and pivot step\n"
  "\n"
  "Exit status: COMMAND's, or 128+N if a signal N killed it; 125 when\n"
  "nsrun fails, 126 when COMMAND can't be run, 127 when it isn't found.\n";

enum { OPT_HOST_DEV = 256, OPT_NO_API };

static const struct long_option long_options[] = {
  { "directory", 1, 'D' },
  { "pivot-root", 1, 'P' },
  { "bind", 1, 'b' },
  { "bind-ro", 1, 'r' },
  { "tmpfs", 1, 't' },
  { "pid", 0, 'p' },
  { "uts", 0, 'u' },
  { "ipc", 0, 'i' },
  { "net", 0, 'n' },
  { "cgroup", 0, 'C' },
  { "time", 0, 'T' },
  { "user", 0, 'U' },
  { "hostname", 1, 'h' },
  { "chdir", 1, 'w' },
  { "as-pid2", 0, '2' },
  { "host-dev", 0, OPT_HOST_DEV },
  { "no-api", 0, OPT_NO_API },
  { "verbose", 0, 'v' },
  { 0, 0, 0 }
};

/* One -b, -r or -t, in the order given; text is parsed again when the
 * mount is made, so nothing here needs the heap. */
struct extra_mount {
  int kind;
  const char *text;
};

struct nsrun {
  const char *directory;
  struct spec pivot;
  int has_pivot;
  struct extra_mount *mounts;
  int mount_count;
  int clone_flags;
  const char *hostname;
  char chdir[PATH_MAX];
  int as_pid2, host_dev, no_api;
  int command_checked;  /* before any change: see check_command_early */

  char root[PATH_MAX];      /* what becomes "/": DIR, NEW, or "/" */
  char new_root[PATH_MAX];  /* NEW, symlinks resolved inside DIR or "/" */
  char old_root[PATH_MAX];  /* -P without -D: OLD inside NEW, resolved */
  int root_fd;              /* root, once it is this namespace's mount */
};

/* Where a mount goes: a descriptor of the directory or file, the path it
 * is shown as, and what mount(2) is given. */
struct place {
  int fd;
  char shown[PATH_MAX];
  char fd_path[32];
  const char *at;
};

/* The signals the caller passes on to COMMAND. */
static const int forwarded[] = {
  SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2
};

static pid_t command_pid;
static int proc_usable;

/* Split "SRC[:DST]" (or "DST" for a tmpfs) into two normalised paths. */
static int mount_parse(const struct extra_mount *mount, char *source,
                       char *target, const char **reason)
{
  int err;

  if (mount->kind == 't') {
    err = split_escaped(mount->text, target, source, reason);
    if (!err && *source) {
      *reason = "a tmpfs takes no ':'";
      err = -EINVAL;
    }
  } else {
    err = split_escaped(mount->text, source, target, reason);
    if (!err && !*target) strcpy(target, source);
  }
  if (!err && *source) err = path_normalize(source, reason);
  if (!err) err = path_normalize(target, reason);

  return err;
}

static void add_mount(struct nsrun *run, int kind, const char *text)
{
  struct extra_mount *mount = run->mounts + run->mount_count++;
  char source[PATH_MAX], target[PATH_MAX];
  const char *reason;

  mount->kind = kind;
  mount->text = text;
  if (mount_parse(mount, source, target, &reason))
    die("bad mount '%s': %s", text, reason);
}

/* Options into run; returns COMMAND's argv. */
static char **parse_options(struct nsrun *run, char **argv)
{
  struct option_state o = { .next = 1 };
  const char *reason;
  int opt;

  while ((opt = option_next(&o, argv, "D:P:b:r:t:puinCTUh:w:2v",
                            long_options)) != -1) {
    switch (opt) {
    case 'D': run->directory = o.arg; break;
    case 'P':
      xspec_parse(o.arg, &run->pivot);
      run->has_pivot = 1;
      break;
    case 'b':
    case 'r':
    case 't': add_mount(run, opt, o.arg); break;
    case 'p': run->clone_flags |= CLONE_NEWPID; break;
    case 'u': run->clone_flags |= CLONE_NEWUTS; break;
    case 'i': run->clone_flags |= CLONE_NEWIPC; break;
    case 'n': run->clone_flags |= CLONE_NEWNET; break;
    case 'C': run->clone_flags |= CLONE_NEWCGROUP; break;
    case 'T': run->clone_flags |= CLONE_NEWTIME; break;
    case 'U': run->clone_flags |= CLONE_NEWUSER; break;
    case 'h':
      if (!*o.arg) die("bad hostname '': empty");
      run->hostname = o.arg;
      run->clone_flags |= CLONE_NEWUTS;
      break;
    case 'w':
      if (strlen(o.arg) >= PATH_MAX)
        die("bad directory '%s': longer than PATH_MAX", o.arg);
      strcpy(run->chdir, o.arg);
      if (path_normalize(run->chdir, &reason))
        die("bad directory '%s': %s", o.arg, reason);
      break;
    case '2': run->as_pid2 = 1; break;
    case 'v': step_mode = STEP_VERBOSE; break;
    case OPT_HOST_DEV: run->host_dev = 1; break;
    case OPT_NO_API: run->no_api = 1; break;
    }
  }
  if (!argv[o.next]) {
    msg("missing COMMAND");
    usage_die();
  }
  if (run->as_pid2 && !(run->clone_flags & CLONE_NEWPID))
    die("--as-pid2 needs --pid");

  return argv + o.next;
}

static void open_root(struct nsrun *run)
{
  if (run->root_fd >= 0) close(run->root_fd);
  run->root_fd = openat(AT_FDCWD, run->root, O_PATH | O_DIRECTORY |
                        O_CLOEXEC);
  if (run->root_fd < 0) perror_die(errno, "can't open '%s'", run->root);
}

/* PATH looked up inside ROOT, where it must be a directory. */
static int find_dir(const char *root, const char *path, char *resolved)
{
  struct stat st;
  int root_fd, fd, err = 0;

  root_fd = openat(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return -errno;
  fd = resolve_in_root(root_fd, root, path, resolved, 0, 0);
  close(root_fd);
  if (fd < 0) return fd;
  if (fstat(fd, &st) || !S_ISDIR(st.st_mode)) err = -ENOTDIR;
  close(fd);

  return err;
}

/* Is PATH on something a -b, -r, -t or OLD will mount, so that it can't
 * be looked up yet? */
static int mounted_over(struct nsrun *run, const char *path)
{
  char source[PATH_MAX], target[PATH_MAX];
  const char *reason;
  int i;

  if (run->directory && *run->pivot.old_root &&
      path_is_below(path, run->pivot.old_root))
    return 1;
  for (i = 0; i < run->mount_count; i++)
    if (!mount_parse(run->mounts + i, source, target, &reason) &&
        path_is_below(path, target))
      return 1;

  return 0;
}

/* Everything that can be checked before the first change: a bad DIR, NEW,
 * bind source or -w is a message and 125, and nothing done. */
static void check_paths(struct nsrun *run)
{
  char source[PATH_MAX], target[PATH_MAX];
  const char *reason;
  int i, err;

  run->root_fd = -1;
  strcpy(run->root, "/");
  if (run->directory) {
    if ((err = real_path(run->directory, run->root)))
      perror_die(err, "can't open '%s'", run->directory);
    if (!strcmp(run->root, "/"))
      die("can't run in '%s': it is the root already", run->directory);
    open_root(run);
  }

  if (run->has_pivot &&
      (err = find_dir(run->root, run->pivot.new_root, run->new_root)))
    perror_die(err, "can't pivot to '%s'", run->pivot.new_root);
  if (run->has_pivot && !strcmp(run->new_root, run->root))
    die("can't pivot to '%s': it is the root already", run->pivot.new_root);
  /* An OLD that leads back to NEW's top would leave nowhere to put it. */
  if (*run->pivot.old_root &&
      !find_dir(run->new_root, run->pivot.old_root, target) &&
      !strcmp(target, run->new_root))
    die("can't keep the old root at '%s': it is NEW's root",
        run->pivot.old_root);

  for (i = 0; i < run->mount_count; i++) {
    mount_parse(run->mounts + i, source, target, &reason);
    if (*source && (err = real_path(source, target)))
      perror_die(err, "can't bind '%s'", source);
  }

  if (strcmp(run->chdir, "/") && !mounted_over(run, run->chdir) &&
      (err = find_dir(run->has_pivot ? run->new_root : run->root,
                      run->chdir, 0)))
    perror_die(err, "can't chdir to '%s'", run->chdir);
}

/* Only 0, 1 and 2 may reach COMMAND: any other descriptor nsrun was
 * started with is closed on exec (FLAGS is CLOSE_RANGE_CLOEXEC), or closed
 * now (FLAGS 0) where no exec follows. */
static void close_inherited(unsigned flags)
{
  char buf[2048];
  long len, at;
  int dir;

  if (!syscall(SYS_close_range, 3, ~0U, flags)) return;
  /* TODO: before Linux 5.11 and without /proc, inherited descriptors
   * reach COMMAND. */
  dir = openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY |
               O_CLOEXEC);
  if (dir < 0) return;
  while ((len = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
    for (at = 0; at < len; at += ((struct dirent *)(buf + at))->d_reclen) {
      int fd = atoi(((struct dirent *)(buf + at))->d_name);

      if (fd < 3 || fd == dir) continue;
      if (flags) ioctl(fd, FIOCLEX);
      else close(fd);
    }
  close(dir);
}

static int write_file(const char *path, const char *text)
{
  int fd = openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC), err = 0;

  if (fd < 0 || write(fd, text, strlen(text)) < 0) err = -errno;
  if (fd >= 0) close(fd);

  return err;
}

/* The caller becomes root of its new user namespace. */
static void map_user(unsigned uid, unsigned gid)
{
  char line[32];
  int err;

  /* Without "deny" an unprivileged process may not write gid_map; kernels
   * before 3.19 have no setgroups file and no such rule. */
  err = write_file("/proc/self/setgroups", "deny");
  if (err && err != -ENOENT)
    perror_die(err, "can't write '/proc/self/setgroups'");
  format(line, sizeof(line), "0 %u 1", uid);
  if ((err = write_file("/proc/self/uid_map", line)))
    perror_die(err, "can't write '/proc/self/uid_map'");
  format(line, sizeof(line), "0 %u 1", gid);
  if ((err = write_file("/proc/self/gid_map", line)))
    perror_die(err, "can't write '/proc/self/gid_map'");
}

static void make_namespaces(struct nsrun *run)
{
  struct ifreq ifr = { .ifr_name = "lo" };
  unsigned uid = 0, gid = 0;
  int fd, err;

  /* Who the caller was, for the user namespace's maps. */
  if (run->clone_flags & CLONE_NEWUSER) uid = getuid(), gid = getgid();

  if (unshare(CLONE_NEWNS | run->clone_flags)) {
    err = errno;
    if (err == EINVAL && (run->clone_flags & CLONE_NEWTIME))
      die("can't unshare the namespaces: %s (--time needs Linux 5.6)",
          strerror(err));
    if (err == EPERM && !(run->clone_flags & CLONE_NEWUSER))
      die("can't unshare the namespaces: %s (try --user)", strerror(err));
    perror_die(err, "can't unshare the namespaces");
  }
  if (run->clone_flags & CLONE_NEWUSER) map_user(uid, gid);

  if (run->hostname && sethostname(run->hostname, strlen(run->hostname)))
    perror_die(errno, "can't set hostname '%s'", run->hostname);

  if (run->clone_flags & CLONE_NEWNET) {
    err = 0;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr)) err = errno;
    else {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl(fd, SIOCSIFFLAGS, &ifr)) err = errno;
    }
    if (fd >= 0) close(fd);
    if (err) perror_die(err, "can't bring up 'lo'");
  }
}

static void note_mkdir(void *ctx, const char *path)
{
  step_print("mkdir %s", path);
}

/* Mount on the descriptor when /proc can name it: a directory of the
 * image swapped for a symlink meanwhile can't send the mount elsewhere. */
static void set_place(struct place *p, int fd)
{
  p->fd = fd;
  p->at = p->shown;
  if (proc_usable) {
    format(p->fd_path, sizeof(p->fd_path), "/proc/self/fd/%d", fd);
    p->at = p->fd_path;
  }
}

/* NAME in the directory DIR_FD, shown as DIR, made when missing: a
 * directory, or an empty file to bind a file on. */
static void place_in_dir(int dir_fd, const char *dir, const char *name,
                         int file, struct place *p)
{
  int fd;

  format(p->shown, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", name);
  if (file)
    fd = openat(dir_fd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                | O_CLOEXEC, 0644);
  else {
    if (mkdirat(dir_fd, name, 0755) && errno != EEXIST) fd = -1;
    else fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW
                     | O_CLOEXEC);
  }
  if (fd < 0) perror_die(errno, "can't create '%s'", p->shown);
  set_place(p, fd);
}

/* PATH inside the root, as a mount point: what is missing is made,
 * directories on the way, and at the end a directory or an empty file. */
static void place_in_root(struct nsrun *run, const char *path, int file,
                          struct place *p)
{
  char dir[PATH_MAX], parent[PATH_MAX], *name;
  int fd;

  fd = resolve_in_root(run->root_fd, run->root, path, p->shown,
                       file ? 0 : note_mkdir, 0);
  if (fd == -ENOENT && file) {
    /* TODO: a symlink at the end of DST that leads nowhere is not made
     * into a file: "File exists". */
    strcpy(parent, path);
    name = strrchr(parent, '/');
    *name++ = 0;
    fd = resolve_in_root(run->root_fd, run->root, parent, dir, note_mkdir,
                         0);
    if (fd >= 0) {
      place_in_dir(fd, dir, name, 1, p);
      close(fd);
      return;
    }
  }
  if (fd < 0)
    perror_die(fd, "can't make mount point '%s' in '%s'", path, run->root);
  set_place(p, fd);
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442  /* the same number on every architecture */
#endif
#define MOUNT_ATTR_RDONLY 0x1

/* A remount read-only of the mount at PATH.  In a user namespace the
 * nosuid, nodev and noexec a mount came with are locked: it keeps them. */
static int remount_one(const char *shown, const char *at)
{
  struct statfs fs;

  if (statfs(at, &fs)) return -errno;

  return step_mount(0, 0, shown, at, 0, MS_BIND | MS_REMOUNT | MS_RDONLY |
                    (fs.f_flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC)), 0);
}

static int remount_below(void *ctx, const struct mount_info *info)
{
  const char *top = ctx;

  if (strcmp(info->path, top) && path_is_below(info->path, top))
    return remount_one(info->path, info->path);

  return 0;
}

/* A recursive bind made read-only, with the mounts below it: in one call
 * where Linux 5.12's mount_setattr(2) is there, else one remount each.
 * The descriptor from before the bind sees what is under it, so the path
 * is looked up again. */
static int remount_read_only(struct nsrun *run, const char *path)
{
  struct {
    unsigned long long set, clear, propagation, userns_fd;
  } attr = { MOUNT_ATTR_RDONLY, 0, 0, 0 };
  struct place p;
  int fd, err;

  fd = resolve_in_root(run->root_fd, run->root, path, p.shown, 0, 0);
  if (fd < 0) return fd;
  set_place(&p, fd);

  err = syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
                &attr, sizeof(attr)) ? -errno : 0;
  if (!err) step_print("mount -o remount,bind,ro --rbind %s", p.shown);
  if (err == -ENOSYS) {
    err = remount_one(p.shown, p.at);
    if (!err) err = mountinfo_walk(remount_below, p.shown);
  }
  close(fd);

  return err;
}

static void mount_in_root(struct nsrun *run, const char *source,
                          const char *path, const char *fstype,
                          unsigned long flags, const char *data)
{
  struct place p;
  struct stat st;
  int err, file = 0;

  if ((flags & MS_BIND) && !stat(source, &st)) file = !S_ISDIR(st.st_mode);
  place_in_root(run, path, file, &p);
  err = step_mount(0, source, p.shown, p.at, fstype, flags, data);
  if (err) perror_die(err, "can't mount '%s' on '%s'", source, p.shown);
  close(p.fd);
}

/* A fresh proc needs a PID namespace of nsrun's user namespace, a fresh
 * sysfs a network namespace: so -U without -p gets the host's /proc bound
 * in place, -U without -n the host's /sys.  sysfs either way read-only. */
static void mount_api_fs(struct nsrun *run, const char *path,
                         const char *fstype, unsigned long flags)
{
  struct place p;
  int err;

  place_in_root(run, path, 0, &p);
  err = step_mount(0, fstype, p.shown, p.at, fstype,
                   flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  if (err == -EPERM || err == -EINVAL) {
    err = step_mount(0, path, p.shown, p.at, 0, MS_BIND | MS_REC, 0);
    if (!err && (flags & MS_RDONLY)) err = remount_read_only(run, path);
  }
  if (err) perror_die(err, "can't mount %s on '%s'", fstype, p.shown);
  close(p.fd);
}

static const char *const dev_nodes[] = {
  "null", "zero", "full", "random", "urandom", "tty"
};

static const char *const dev_links[][2] = {
  { "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" },
  { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" },
};

/* A minimal /dev: a tmpfs with the host's harmless nodes bound on empty
 * files, since a user namespace may not make device nodes. */
static void mount_dev(struct nsrun *run)
{
  struct place dev, p;
  char source[16];
  size_t i;
  int err;

  if (run->host_dev) {
    mount_in_root(run, "/dev", "/dev", 0, MS_BIND | MS_REC, 0);
    return;
  }
  mount_in_root(run, "tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=755");
  /* The tmpfs just mounted, and nothing of the image under it. */
  place_in_root(run, "/dev", 0, &dev);

  for (i = 0; i < sizeof(dev_nodes) / sizeof(*dev_nodes); i++) {
    format(source, sizeof(source), "/dev/%s", dev_nodes[i]);
    place_in_dir(dev.fd, dev.shown, dev_nodes[i], 1, &p);
    err = step_mount(0, source, p.shown, p.at, 0, MS_BIND, 0);
    if (err) perror_die(err, "can't mount '%s' on '%s'", source, p.shown);
    close(p.fd);
  }

  /* A gid option names a group the user namespace may not map. */
  place_in_dir(dev.fd, dev.shown, "pts", 0, &p);
  err = step_mount(0, "devpts", p.shown, p.at, "devpts", MS_NOSUID | MS_NOEXEC,
                   "newinstance,ptmxmode=0666,mode=620,gid=5");
  if (err == -EINVAL)
    err = step_mount(0, "devpts", p.shown, p.at, "devpts", MS_NOSUID |
                     MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
  if (err) perror_die(err, "can't mount devpts on '%s'", p.shown);
  close(p.fd);

  place_in_dir(dev.fd, dev.shown, "shm", 0, &p);
  err = step_mount(0, "tmpfs", p.shown, p.at, "tmpfs", MS_NOSUID | MS_NODEV,
                   "mode=1777");
  if (err) perror_die(err, "can't mount tmpfs on '%s'", p.shown);
  close(p.fd);

  for (i = 0; i < sizeof(dev_links) / sizeof(*dev_links); i++)
    if (symlinkat(dev_links[i][1], dev.fd, dev_links[i][0]))
      perror_die(errno, "can't create '%s/%s'", dev.shown, dev_links[i][0]);
  close(dev.fd);
}

static void mount_extras(struct nsrun *run)
{
  char source[PATH_MAX], target[PATH_MAX], host[PATH_MAX];
  const char *reason;
  int i, err;

  for (i = 0; i < run->mount_count; i++) {
    struct extra_mount *m = run->mounts + i;

    mount_parse(m, source, target, &reason);
    if (m->kind == 't') {
      mount_in_root(run, "tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
                    "mode=755");
      continue;
    }
    if ((err = real_path(source, host)))
      perror_die(err, "can't bind '%s'", source);
    mount_in_root(run, host, target, 0, MS_BIND | MS_REC, 0);
    if (m->kind == 'r' && (err = remount_read_only(run, target)))
      perror_die(err, "can't make '%s' read-only", target);
  }
}

/* -P without -D switches the namespace's own root, as pivotroot does: the
 * API filesystems come along, bound rather than moved, since a user
 * namespace locks them in place. */
static void carry_api_mounts(struct nsrun *run)
{
  struct mount_info info;
  struct place p;
  size_t i;
  int err;

  for (i = 0; i < API_MOUNT_COUNT; i++) {
    if (mount_at(api_mounts[i], &info)) continue;
    err = resolve_in_root(run->root_fd, run->root, api_mounts[i], p.shown, 0, 0);
    if (err < 0) continue;
    set_place(&p, err);
    err = step_mount(0, api_mounts[i], p.shown, p.at, 0, MS_BIND | MS_REC, 0);
    if (err) perror_die(err, "can't mount '%s' on '%s'", api_mounts[i], p.shown);
    close(p.fd);
  }
}

/* The root that becomes "/", as a mount of this namespace: DIR bound onto
 * itself, rearranged by -P, or NEW bound onto itself without -D. */
static void prepare_root(struct nsrun *run)
{
  int err;

  /* Nothing mounted from here on can reach the host. */
  err = step_propagation(0, "/", MS_SLAVE | MS_REC, 0);
  if (err) perror_die(err, "can't make '/' a slave");
  proc_usable = !access("/proc/self/fd", F_OK);

  if (run->directory) {
    /* DIR need not be a mount point: make it one, with what is below it. */
    err = step_mount(0, run->root, run->root, 0, 0, MS_BIND | MS_REC, 0);
    if (err) perror_die(err, "can't bind '%s'", run->root);
    /* /proc is never below DIR, and is as it was afterwards. */
    if (run->has_pivot && (err = move_mount_tree(0, run->root, run->new_root,
                                                 run->pivot.old_root,
                                                 "/proc")))
      perror_die(err, "can't pivot '%s' to '%s'", run->root, run->new_root);
  } else if (run->has_pivot) {
    strcpy(run->root, run->new_root);
    err = step_mount(0, run->root, run->root, 0, 0, MS_BIND | MS_REC, 0);
    if (err) perror_die(err, "can't bind '%s'", run->root);
  }
  /* The new mounts on top of the root's path, not what was there. */
  open_root(run);

  if (!run->directory && *run->pivot.old_root &&
      (err = step_mkdir_in_root(0, run->root_fd, run->root,
                                run->pivot.old_root, run->old_root)))
    perror_die(err, "can't create '%s%s'", run->root, run->pivot.old_root);
}

/* COMMAND looked up in ROOT as it will be run there: 127 when it isn't
 * found, 126 when it can't run.  A relative name with a '/' is looked up
 * from -w, which may not be /, so the kernel judges that one. */
static void check_command(struct nsrun *run, const char *root,
                          const char *command)
{
  const char *reason;
  int err;

  if ((*command == '/' || !strchr(command, '/') || !strcmp(run->chdir, "/"))
      && (err = check_command_in_root(root, command, getenv("PATH"),
                                      &reason))) {
    msg("can't run '%s' in '%s': %s", command, root, reason);
    exit(err == -ENOENT ? 127 : 126);
  }
  run->command_checked = 1;
}

/* Before any change, where nothing nsrun mounts can cover COMMAND: a
 * missing one then leaves no mount point made in the image. */
static void check_command_early(struct nsrun *run, const char *command)
{
  if (!run->directory && !run->has_pivot) return;
  if (*command == '/' ? mounted_over(run, command) : run->mount_count > 0)
    return;
  check_command(run, run->has_pivot ? run->new_root : run->root, command);
}

/* COMMAND is checked where it will run, then the root becomes "/": the
 * old one goes to OLD (-P without -D) or is detached. */
static void switch_root(struct nsrun *run, const char *command)
{
  int err;

  if (!run->command_checked) check_command(run, run->root, command);

  if (*run->old_root)
    err = step_pivot(0, run->root, run->old_root + strlen(run->root), -1);
  else {
    /* The old root is stacked under the new one, then detached: no
     * directory is needed for it. */
    err = step_pivot(0, run->root, "", -1);
    if (!err) err = step_detach(".");
  }
  if (err) perror_die(err, "can't pivot_root to '%s'", run->root);
  close(run->root_fd);
}

static void forward_signal(int sig, siginfo_t *info, void *context)
{
  int saved = errno;

  /* One from the terminal reached COMMAND's process group already. */
  if (info->si_code != SI_KERNEL) kill(command_pid, sig);
  errno = saved;
}

/* fork(); the parent forwards signals to the child from then on, and
 * none is lost in between. */
static pid_t spawn(void)
{
  struct sigaction action = {
    .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART
  };
  sigset_t held, was;
  size_t i;
  pid_t pid;

  sigemptyset(&held);
  for (i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
    sigaddset(&held, forwarded[i]);
  sigprocmask(SIG_BLOCK, &held, &was);
  /* Without the atfork handlers and thread locks of fork(), which a
   * single-threaded program doesn't need (musl 1.2.3 on). */
  pid = _Fork();
  if (pid < 0) perror_die(errno, "can't fork");
  if (pid) {
    command_pid = pid;
    for (i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++)
      sigaction(forwarded[i], &action, 0);
  }
  sigprocmask(SIG_SETMASK, &was, 0);

  return pid;
}

/* Waits for the child spawn() made, reaping any other (as a PID 1 must),
 * and returns the status to exit with: 128+N when signal N killed it. */
static int wait_command(void)
{
  int status;
  pid_t pid;

  do {
    pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno != EINTR) perror_die(errno, "can't wait");
  } while (pid != command_pid);

  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int nsrun_main(int argc, char **argv)
{
  static struct nsrun run;
  struct extra_mount mounts[argc];
  int err;

  run.mounts = mounts;
  strcpy(run.chdir, "/");
  argv = parse_options(&run, argv);
  check_paths(&run);
  check_command_early(&run, *argv);
  close_inherited(CLOSE_RANGE_CLOEXEC);

  make_namespaces(&run);
  /* The caller stays outside the new PID namespace, waiting. */
  if (spawn()) return wait_command();

  prepare_root(&run);
  if (!run.no_api && run.directory) {
    mount_api_fs(&run, "/proc", "proc", 0);
    mount_api_fs(&run, "/sys", "sysfs", MS_RDONLY);
    mount_dev(&run);
  } else if (!run.no_api && run.has_pivot) carry_api_mounts(&run);
  mount_extras(&run);
  if (strcmp(run.root, "/")) switch_root(&run, *argv);
  if (chdir(run.chdir)) perror_die(errno, "can't chdir to '%s'", run.chdir);

  if (run.as_pid2) {
    /* COMMAND could reach through /proc/1/fd what PID 1 holds open. */
    close_inherited(0);
    if (spawn()) return wait_command();
  }

  /* TODO: COMMAND keeps the caller's terminal, so where the kernel still
   * allows TIOCSTI a hostile image can type into the caller's shell. */
  err = exec_command(argv);
  perror_msg(err, "can't execute '%s'", *argv);

  return err == ENOENT ? 127 : 126;
}
