/* resolve.c - paths looked up inside a root directory, as if it were "/"
 *
 * The walk opens one component at a time with O_NOFOLLOW and follows each
 * symlink by hand, so an absolute target starts again at the root and ".."
 * never climbs above it.  No descriptor but the current directory is held.
 * To read a command's first bytes without /proc, the walk can open its
 * last component O_RDONLY from the directory it was found in.
 */

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libbb.h"

/* Symlinks followed in one lookup before giving up, as the kernel does. */
#define MAX_SYMLINKS 40

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
  "/sbin:/bin"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELFDATA_NATIVE ELFDATA2LSB
#else
#define ELFDATA_NATIVE ELFDATA2MSB
#endif

static void close_unless(int fd, int keep)
{
  if (fd != keep) close(fd);
}

/* ROOT joined with INSIDE ("" or "/a/b") into out, PATH_MAX bytes. */
static int join_root(char *out, const char *root, const char *inside)
{
  size_t len = strlen(root);

  while (len > 1 && root[len - 1] == '/') len--;
  if (len == 1 && *root == '/' && *inside) len = 0;
  if (len + strlen(inside) >= PATH_MAX) return -ENAMETOOLONG;
  memcpy(out, root, len);
  strcpy(out + len, inside);

  return 0;
}

/* Puts HEAD before REST, which lies inside todo, joined by a slash when
 * there was one after the component that HEAD replaces. */
static int put_before(char *todo, const char *head, size_t len,
                      const char *rest, int slash)
{
  size_t rest_len = strlen(rest);

  if (len + slash + rest_len >= PATH_MAX) return -ENAMETOOLONG;
  memmove(todo + len + slash, rest, rest_len + 1);
  memcpy(todo, head, len);
  if (slash) todo[len] = '/';

  return 0;
}

/* resolve_in_root(); with readable set, a regular file at the end comes
 * back opened O_RDONLY instead of O_PATH when it can be. */
static int walk(int root_fd, const char *root, const char *path,
                char *resolved, created_fn *created, void *ctx, int readable)
{
  char todo[PATH_MAX], done[PATH_MAX], link[PATH_MAX];
  char *name = todo;
  size_t done_len = 0;
  int dir = root_fd, links = 0, err;

  if (strlen(path) >= PATH_MAX) return -ENAMETOOLONG;
  strcpy(todo, path);
  *done = 0;

  while (*name) {
    char *end = strchrnul(name, '/'), *rest = end;
    size_t len = end - name;
    int slash = *end == '/', fd;
    struct stat st;
    ssize_t n;

    if (slash) *rest++ = 0;
    if (!len || !strcmp(name, ".")) {
      name = rest;
      continue;
    }

    /* Walk the parent again from the root instead of opening "..", which
     * leads out of ROOT from a directory moved out of it meanwhile. */
    if (!strcmp(name, "..")) {
      char *up = strrchr(done, '/');

      if (up) {
        if ((err = put_before(todo, done, up - done, rest, slash))) goto fail;
        *done = 0;
        done_len = 0;
        close_unless(dir, root_fd);
        dir = root_fd;
        rest = todo;
      }
      name = rest;
      continue;
    }

    if (done_len + 1 + len >= PATH_MAX) {
      err = -ENAMETOOLONG;
      goto fail;
    }
    done[done_len] = '/';
    memcpy(done + done_len + 1, name, len + 1);

    fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && created) {
      if ((err = join_root(link, root, done))) goto fail;
      if (!mkdirat(dir, name, 0755)) created(ctx, link);
      else if (errno != EEXIST) {
        err = -errno;
        goto fail;
      }
      fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0 || fstat(fd, &st)) {
      err = -errno;
      if (fd >= 0) close(fd);
      goto fail;
    }

    if (S_ISLNK(st.st_mode)) {
      done[done_len] = 0;
      if (++links > MAX_SYMLINKS) err = -ELOOP;
      else if ((n = readlinkat(fd, "", link, sizeof(link))) < 0) err = -errno;
      else if (!n) err = -ENOENT;
      else if (n == sizeof(link)) err = -ENAMETOOLONG;
      else err = put_before(todo, link, n, rest, slash);
      close(fd);
      if (err) goto fail;
      if (*link == '/') {
        *done = 0;
        done_len = 0;
        close_unless(dir, root_fd);
        dir = root_fd;
      }
      name = todo;
      continue;
    }

    /* "file/" is ENOTDIR for the kernel as well. */
    if (slash && !S_ISDIR(st.st_mode)) {
      close(fd);
      err = -ENOTDIR;
      goto fail;
    }
    done_len += 1 + len;

    if (readable && S_ISREG(st.st_mode)) {
      int file = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK
                        | O_CLOEXEC);

      if (file >= 0) {
        close(fd);
        fd = file;
      }
    }
    close_unless(dir, root_fd);
    dir = fd;
    name = rest;
  }

  if (resolved && (err = join_root(resolved, root, done))) goto fail;
  if (dir == root_fd) {
    dir = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -errno;
  }

  return dir;

fail:
  close_unless(dir, root_fd);

  return err;
}

#ifndef SYS_openat2
#define SYS_openat2 437  /* the same number on every architecture */
#endif
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10

/* Linux 5.6's openat2(RESOLVE_IN_ROOT) does the walk in one call.  Only
 * ENOSYS means the kernel lacks it; any other error (EPERM from a seccomp
 * policy among them) is the answer. */
static int open_in_root(int root_fd, const char *path)
{
  static int missing;
  struct {
    unsigned long long flags, mode, resolve;
  } how = { O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  int fd;

  if (missing) return -ENOSYS;
  fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
  if (fd >= 0) return fd;
  if (errno == ENOSYS) missing = 1;

  return -errno;
}

int resolve_in_root(int root_fd, const char *root, const char *path,
                    char *resolved, created_fn *created, void *ctx)
{
  /* The kernel can't say which path it took, nor create what is missing:
   * for those the walk below does it by hand. */
  if (!resolved) {
    int fd = open_in_root(root_fd, path);

    /* EAGAIN: a rename raced the lookup; ENOENT: maybe some to create. */
    if (fd >= 0 || (fd != -ENOSYS && fd != -EAGAIN &&
                    !(fd == -ENOENT && created)))
      return fd;
  }

  return walk(root_fd, root, path, resolved, created, ctx, 0);
}

int real_path(const char *path, char *resolved)
{
  char absolute[PATH_MAX], proc[32];
  int root_fd, fd;
  ssize_t len;

  if (!*path) return -ENOENT;
  if (*path == '/') fd = format(absolute, PATH_MAX, "%s", path);
  /* The system call, not getcwd(3), which would bring malloc along. */
  else if (syscall(SYS_getcwd, absolute, PATH_MAX) < 0) return -errno;
  else fd = format(absolute + strlen(absolute), PATH_MAX - strlen(absolute),
                   "/%s", path);
  if (fd >= PATH_MAX) return -ENAMETOOLONG;

  /* One open, and the kernel's own name for what it opened; the walk by
   * hand where /proc can't tell. */
  fd = openat(AT_FDCWD, absolute, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  format(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  len = readlink(proc, resolved, PATH_MAX);
  close(fd);
  if (len > 0 && len < PATH_MAX && *resolved == '/') {
    resolved[len] = 0;
    return 0;
  }

  root_fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return -errno;
  fd = walk(root_fd, "/", absolute, resolved, 0, 0, 0);
  close(root_fd);
  if (fd < 0) return fd;
  close(fd);

  return 0;
}

/* Why a file can't run, by what is wrong: for the command itself, and for
 * the interpreter a "#!" line names. */
enum {
  NOT_FOUND, NOT_REGULAR, NOT_EXECUTABLE, NOEXEC_MOUNT, NO_ELF_INTERPRETER,
  NO_SCRIPT_INTERPRETER
};

static const char *const command_why[] = {
  "not found",
  "is not a regular file",
  "is not executable",
  "is on a noexec mount",
  "ELF interpreter is missing",
  "script interpreter is missing",
};

/* A script interpreter that is a script itself is the kernel's business:
 * it allows a few levels. */
static const char *const interpreter_why[] = {
  "script interpreter is missing",
  "script interpreter is not a regular file",
  "script interpreter is not executable",
  "script interpreter is on a noexec mount",
  "script interpreter's ELF interpreter is missing",
  0,
};

/* The first kilobyte: the ELF header and, in practice, every program
 * header, in one read. */
union file_head {
  char text[1024];
  Elf32_Ehdr elf32;
  Elf64_Ehdr elf64;
};

/* Copies the PT_INTERP path of the ELF file FD into interp, PATH_MAX bytes.
 * Returns 0 when it has none, or when the kernel would refuse the file
 * anyway (other byte order or class, odd header sizes). */
static int elf_interpreter(int fd, const union file_head *head, size_t size,
                           char *interp)
{
  int wide = head->text[EI_CLASS] == ELFCLASS64;
  unsigned long long offset;
  unsigned count, entry;

  if (size < sizeof(head->elf64) || head->text[EI_DATA] != ELFDATA_NATIVE
      || (!wide && head->text[EI_CLASS] != ELFCLASS32))
    return 0;
  offset = wide ? head->elf64.e_phoff : head->elf32.e_phoff;
  count = wide ? head->elf64.e_phnum : head->elf32.e_phnum;
  entry = wide ? head->elf64.e_phentsize : head->elf32.e_phentsize;
  if (entry != (wide ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) return 0;

  for (; count--; offset += entry) {
    union {
      Elf32_Phdr elf32;
      Elf64_Phdr elf64;
    } ph;
    unsigned long long at, len;

    if (offset + entry <= size) memcpy(&ph, head->text + offset, entry);
    else if (pread(fd, &ph, entry, offset) != (ssize_t)entry) return 0;
    if ((wide ? ph.elf64.p_type : ph.elf32.p_type) != PT_INTERP) continue;
    at = wide ? ph.elf64.p_offset : ph.elf32.p_offset;
    len = wide ? ph.elf64.p_filesz : ph.elf32.p_filesz;
    if (len < 2 || len > PATH_MAX
        || pread(fd, interp, len, at) != (ssize_t)len)
      return 0;
    interp[len - 1] = 0;

    return 1;
  }

  return 0;
}

/* Can PATH run inside ROOT?  The reasons come from WHY. */
static int check_file(int root_fd, const char *root, const char *path,
                      const char *const *why, const char **reason)
{
  union file_head head;
  char interp[PATH_MAX];
  struct statfs mount;
  struct stat st;
  ssize_t size;
  int fd = walk(root_fd, root, path, 0, 0, 0, 1), err = 0;

  if (fd == -ENOENT || fd == -ENOTDIR) {
    *reason = why[NOT_FOUND];
    return -ENOENT;
  }
  if (fd < 0) {
    *reason = strerror(-fd);
    return fd;
  }

  if (fstat(fd, &st)) err = -errno;
  else if (!S_ISREG(st.st_mode)) err = NOT_REGULAR;
  else if (!(st.st_mode & 0111)) err = NOT_EXECUTABLE;
  else if (!fstatfs(fd, &mount) && (mount.f_flags & ST_NOEXEC))
    err = NOEXEC_MOUNT;
  if (err > 0) {
    *reason = why[err];
    err = -EACCES;
  }
  if (err) {
    close(fd);
    return err;
  }

  /* The descriptor is O_PATH when the file could not be opened for
   * reading (execute-only): then the kernel alone can look inside. */
  size = pread(fd, head.text, sizeof(head.text) - 1, 0);
  if (size >= SELFMAG && !memcmp(head.text, ELFMAG, SELFMAG)) {
    if (elf_interpreter(fd, &head, size, interp)) {
      int file = walk(root_fd, root, interp, 0, 0, 0, 0);

      if (file < 0 || fstat(file, &st) || !S_ISREG(st.st_mode)) {
        *reason = why[NO_ELF_INTERPRETER];
        err = -ENOENT;
      }
      if (file >= 0) close(file);
    }
  } else if (size >= 2 && !memcmp(head.text, "#!", 2)
             && why[NO_SCRIPT_INTERPRETER]) {
    char *start = head.text + 2;

    /* As the kernel reads it: after "#!" and blanks, up to a blank or the
     * end of the line. */
    head.text[size] = 0;
    start += strspn(start, " \t");
    start[strcspn(start, " \t\n")] = 0;
    if (!*start) {
      *reason = why[NO_SCRIPT_INTERPRETER];
      err = -ENOEXEC;
    } else err = check_file(root_fd, root, start, interpreter_why, reason);
  }
  close(fd);

  return err;
}

/* The next "DIR/NAME" of the colon-separated *SEARCH into file, PATH_MAX
 * bytes, moving *SEARCH on; a name too long for a directory is passed
 * over.  Returns 0 when the list has run out. */
static int next_in_path(const char **search, const char *name, char *file)
{
  size_t len = strlen(name);

  while (*search) {
    const char *dir = *search, *end = strchrnul(dir, ':');

    *search = *end ? end + 1 : 0;
    if (end - dir + 1 + len < PATH_MAX) {
      memcpy(file, dir, end - dir);
      file[end - dir] = '/';
      strcpy(file + (end - dir) + 1, name);
      return 1;
    }
  }

  return 0;
}

int check_command_in_root(const char *root, const char *command,
                          const char *path_search, const char **reason)
{
  const char *found_reason = command_why[NOT_FOUND];
  char file[PATH_MAX];
  int root_fd, err, found = -ENOENT;

  if (!*command) {
    *reason = found_reason;
    return -ENOENT;
  }
  root_fd = openat(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    err = -errno;
    *reason = strerror(-err);
    return err;
  }

  /* The applets chdir("/") before the exec, so "bin/sh" is "/bin/sh". */
  if (strchr(command, '/')) {
    err = check_file(root_fd, root, command, command_why, reason);
    close(root_fd);
    return err;
  }

  /* As execvp() searches: go on past a missing file and one that can't
   * run, report the first that can't when none can. */
  if (!path_search) path_search = DEFAULT_PATH;
  while (next_in_path(&path_search, command, file)) {
    err = check_file(root_fd, root, file, command_why, reason);
    if (!err || (err != -ENOENT && err != -EACCES)) {
      close(root_fd);
      return err;
    }
    if (*reason != command_why[NOT_FOUND]
        && found_reason == command_why[NOT_FOUND]) {
      found = err;
      found_reason = *reason;
    }
  }
  close(root_fd);
  *reason = found_reason;

  return found;
}

int exec_command(char **argv)
{
  const char *search = getenv("PATH");
  char file[PATH_MAX];
  int err = ENOENT;

  if (strchr(*argv, '/')) {
    execve(*argv, argv, environ);
    return errno;
  }

  /* As execvp() searches: past a missing file and one that can't run. */
  if (!search) search = DEFAULT_PATH;
  while (next_in_path(&search, *argv, file)) {
    execve(file, argv, environ);
    if (errno == EACCES) err = EACCES;
    else if (errno != ENOENT && errno != ENOTDIR) return errno;
  }

  return err;
}
