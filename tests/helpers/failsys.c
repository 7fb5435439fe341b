/* failsys.c - make one call of a syscall fail, to test rollback paths
 *
 * usage: failsys [-n N] [-c FILE] [-f FLAGS] SYSCALLS ERRNO -- COMMAND...
 *        failsys -a [-f FLAGS] SYSCALLS ERRNO -- COMMAND...
 *
 * SYSCALLS is one name or several joined by ',' (see syscalls[] below);
 * a name this architecture lacks (mkdir, rmdir, dup2 on aarch64) is
 * skipped, so "mkdir,mkdirat" works everywhere.  ERRNO is a number or a
 * name from errnos[].
 *
 * Counting mode: the N-th matching call (default 1) made anywhere in
 * COMMAND's process tree fails with ERRNO, every other call proceeds.  A
 * seccomp filter sends matching calls to failsys through a user
 * notification listener (Linux 5.5 or later); failsys answers each one.
 * -c FILE writes how many matching calls there were, so a test can walk
 * through every step of an operation until N is past the last one.
 *
 * -a: every matching call fails with ERRNO, counting nothing: a plain
 * SECCOMP_RET_ERRNO filter, no supervisor, so it nests.  For running tests
 * as if on a kernel without openat2 or the new mount API.
 *
 * -f FLAGS: only calls whose flags argument has every bit of FLAGS set
 * match; the test is in the filter, the other calls never reach failsys.
 * FLAGS is names from flag_names[] or numbers (0x.. hex), joined by '|',
 * and is compared with the low 32 bits of the argument.  Which argument
 * is the flags is in syscalls[]: mount 3, umount2 1, unlinkat 2, ...
 *
 * Exit status: COMMAND's, or 128+N when signal N killed it; 125 when
 * failsys itself fails, 126 when COMMAND can't be run, 127 when it is not
 * found.  failsys prints nothing unless it fails.
 *
 * Limits:
 * - Calls of another ABI (i386 or x32 calls on x86_64) are let through.
 * - Counting mode can't run under counting mode (one listener per task:
 *   EBUSY); -a nests either way, and wins over counting for its calls.
 * - When COMMAND exits, so does failsys: a matching call that a process
 *   left behind makes afterwards fails with ENOSYS.
 * - Before Linux 5.19, a signal that lands while failsys answers can make
 *   the kernel restart a call failsys has counted: under a storm of
 *   signals the count may run ahead of the calls.
 */

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libbb.h"

/* The kernel ABI of <linux/filter.h> and <linux/seccomp.h>, which
 * musl-gcc does not see. */
struct sock_filter {
  uint16_t code;
  uint8_t jt, jf;
  uint32_t k;
};

struct sock_fprog {
  unsigned short len;
  struct sock_filter *filter;
};

struct seccomp_data {
  int nr;
  uint32_t arch;
  uint64_t instruction_pointer;
  uint64_t args[6];
};

struct seccomp_notif {
  uint64_t id;
  uint32_t pid;
  uint32_t flags;
  struct seccomp_data data;
};

struct seccomp_notif_resp {
  uint64_t id;
  int64_t val;
  int32_t error;
  uint32_t flags;
};

#define BPF_LD_W_ABS 0x20
#define BPF_ALU_AND_K 0x54
#define BPF_JMP_JEQ_K 0x15
#define BPF_RET_K 0x06

#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1U << 3)
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1U << 5)
#define SECCOMP_RET_ERRNO 0x00050000U
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#define SECCOMP_RET_ALLOW 0x7fff0000U
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE 1U
#define SECCOMP_IOCTL_NOTIF_RECV _IOWR('!', 0, struct seccomp_notif)
#define SECCOMP_IOCTL_NOTIF_SEND _IOWR('!', 1, struct seccomp_notif_resp)

/* AUDIT_ARCH_* of this build, composed as <linux/audit.h> does: the ELF
 * machine, a 64-bit bit and a little-endian bit. */
#if defined(__x86_64__)
#define ARCH_MACHINE EM_X86_64
#elif defined(__i386__)
#define ARCH_MACHINE EM_386
#elif defined(__aarch64__)
#define ARCH_MACHINE EM_AARCH64
#elif defined(__arm__)
#define ARCH_MACHINE EM_ARM
#elif defined(__riscv)
#define ARCH_MACHINE 243 /* EM_RISCV */
#elif defined(__loongarch__)
#define ARCH_MACHINE 258 /* EM_LOONGARCH */
#elif defined(__powerpc64__)
#define ARCH_MACHINE EM_PPC64
#elif defined(__powerpc__)
#define ARCH_MACHINE EM_PPC
#elif defined(__s390x__)
#define ARCH_MACHINE EM_S390
#elif defined(__mips__)
#define ARCH_MACHINE EM_MIPS
#elif defined(__m68k__)
#define ARCH_MACHINE EM_68K
#elif defined(__sh__)
#define ARCH_MACHINE EM_SH
#elif defined(__microblaze__)
#define ARCH_MACHINE EM_MICROBLAZE
#elif defined(__or1k__)
#define ARCH_MACHINE 92 /* EM_OPENRISC */
#else
#error "failsys: add this architecture's AUDIT_ARCH value"
#endif

/* x32 calls count as x86_64 ones; MIPS n32 has a bit of its own. */
#if defined(__mips__) && defined(_ABIN32) && _MIPS_SIM == _ABIN32
#define ARCH_WORD (0x80000000U | 0x20000000U)
#elif defined(__LP64__) || defined(__x86_64__)
#define ARCH_WORD 0x80000000U
#else
#define ARCH_WORD 0U
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH_ENDIAN 0x40000000U
#define LOW_WORD 0
#else
#define ARCH_ENDIAN 0U
#define LOW_WORD 4
#endif

#define AUDIT_ARCH_SELF (ARCH_MACHINE | ARCH_WORD | ARCH_ENDIAN)

/* Names the asm-generic table (aarch64, riscv, loongarch) lacks, and
 * calls newer than the C library's headers. */
#ifndef __NR_mkdir
#define __NR_mkdir -1
#endif
#ifndef __NR_rmdir
#define __NR_rmdir -1
#endif
#ifndef __NR_dup2
#define __NR_dup2 -1
#endif
#ifndef __NR_open_tree
#define __NR_open_tree -1
#endif
#ifndef __NR_move_mount
#define __NR_move_mount -1
#endif
#ifndef __NR_fsopen
#define __NR_fsopen -1
#endif
#ifndef __NR_fsmount
#define __NR_fsmount -1
#endif
#ifndef __NR_fspick
#define __NR_fspick -1
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr -1
#endif
#ifndef __NR_openat2
#define __NR_openat2 -1
#endif
#ifndef __NR_clone3
#define __NR_clone3 -1
#endif

/* s390 passes clone()'s stack first and its flags second. */
#if defined(__s390__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/* Each name, its number here (-1: none on this architecture), and the
 * argument -f tests (-1: no flags argument). */
static const struct syscall_name {
  const char *name;
  int nr;
  int flags_arg;
} syscalls[] = {
  { "mount", __NR_mount, 3 },
  { "umount2", __NR_umount2, 1 },
  { "pivot_root", __NR_pivot_root, -1 },
  { "chroot", __NR_chroot, -1 },
  { "chdir", __NR_chdir, -1 },
  { "fchdir", __NR_fchdir, -1 },
  { "mkdir", __NR_mkdir, -1 },
  { "mkdirat", __NR_mkdirat, -1 },
  { "rmdir", __NR_rmdir, -1 },
  { "unlinkat", __NR_unlinkat, 2 },
  { "openat", __NR_openat, 2 },
  { "openat2", __NR_openat2, -1 },
  { "execve", __NR_execve, -1 },
  { "open_tree", __NR_open_tree, 2 },
  { "move_mount", __NR_move_mount, 4 },
  { "mount_setattr", __NR_mount_setattr, 2 },
  { "fsopen", __NR_fsopen, 1 },
  { "fsmount", __NR_fsmount, 1 },
  { "fspick", __NR_fspick, 2 },
  { "unshare", __NR_unshare, 0 },
  { "clone", __NR_clone, CLONE_FLAGS_ARG },
  { "clone3", __NR_clone3, -1 },
  { "setns", __NR_setns, 1 },
  { "sethostname", __NR_sethostname, -1 },
  { "dup2", __NR_dup2, -1 },
  { "dup3", __NR_dup3, 2 },
};

#define NAMED(x) { #x, x }

static const struct named_value {
  const char *name;
  unsigned long value;
} errnos[] = {
  NAMED(EPERM), NAMED(ENOENT), NAMED(EIO), NAMED(ENOMEM), NAMED(EACCES),
  NAMED(EBUSY), NAMED(EEXIST), NAMED(EXDEV), NAMED(ENOTDIR),
  NAMED(EINVAL), NAMED(EMFILE), NAMED(ENOSPC), NAMED(EROFS),
  NAMED(ELOOP), NAMED(ENOSYS),
}, flag_names[] = {
  NAMED(MS_RDONLY), NAMED(MS_NOSUID), NAMED(MS_NODEV), NAMED(MS_NOEXEC),
  NAMED(MS_REMOUNT), NAMED(MS_BIND), NAMED(MS_MOVE), NAMED(MS_REC),
  NAMED(MS_SILENT), NAMED(MS_UNBINDABLE), NAMED(MS_PRIVATE),
  NAMED(MS_SLAVE), NAMED(MS_SHARED), NAMED(MNT_FORCE), NAMED(MNT_DETACH),
  NAMED(MNT_EXPIRE), NAMED(UMOUNT_NOFOLLOW), NAMED(AT_REMOVEDIR),
  NAMED(CLONE_NEWNS), NAMED(CLONE_NEWUTS), NAMED(CLONE_NEWIPC),
  NAMED(CLONE_NEWUSER), NAMED(CLONE_NEWPID), NAMED(CLONE_NEWNET),
  NAMED(CLONE_NEWCGROUP),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Enough for every name above, and short enough for BPF's 8-bit jumps. */
#define MAX_CALLS 32

/* What the filter matches: these call numbers, and with a mask, only
 * calls whose flags argument (args[i] of call i) has all of its bits. */
struct target {
  int nr[MAX_CALLS];
  int flags_arg[MAX_CALLS];
  int count;
  uint32_t mask;
};

static const struct applet failsys = {
  "failsys", 0,
  "usage: failsys [-n N] [-c FILE] [-f FLAGS] SYSCALLS ERRNO -- COMMAND...\n"
  "       failsys -a [-f FLAGS] SYSCALLS ERRNO -- COMMAND...\n"
  "\n"
  "Run COMMAND so that the N-th call (default 1) of SYSCALLS in its\n"
  "process tree fails with ERRNO, and every other call proceeds.\n"
  "\n"
  "-a        fail every matching call, count nothing\n"
  "-c FILE   write the number of matching calls to FILE at the end\n"
  "-f FLAGS  match only calls with every bit of FLAGS in their flags\n"
  "          argument (MS_*, MNT_*, CLONE_NEW*, AT_REMOVEDIR or numbers,\n"
  "          joined by '|')\n"
  "-n N      fail the N-th matching call\n"
  "\n"
  "SYSCALLS: names joined by ','.  ERRNO: a number or a name like EPERM.\n",
  125
};

/* A number from 1 to max: decimal, 0x hex or 0 octal. */
static int parse_number(const char *text, unsigned long max,
                        unsigned long *value)
{
  char *end;

  if (*text < '0' || *text > '9') return -EINVAL;
  errno = 0;
  *value = strtoul(text, &end, 0);
  if (errno || *end || !*value || *value > max) return -EINVAL;

  return 0;
}

static int parse_named(const char *text, const struct named_value *names,
                       size_t count, unsigned long max, unsigned long *value)
{
  size_t i;

  for (i = 0; i < count; i++) {
    if (!strcmp(text, names[i].name)) {
      *value = names[i].value;
      return 0;
    }
  }

  return parse_number(text, max, value);
}

static void parse_flags(char *text, uint32_t *mask)
{
  char *part, *rest = text;
  unsigned long bits;

  *mask = 0;
  while ((part = strsep(&rest, "|"))) {
    if (parse_named(part, flag_names, COUNT(flag_names), 0xffffffffUL,
                    &bits))
      die("bad flags '%s': want MS_*, MNT_*, CLONE_NEW* or a number", part);
    *mask |= bits;
  }
}

/* "NAME[,NAME...]" into target; a name this architecture lacks is left
 * out, as long as one name is left.  With -f, each needs a flags
 * argument. */
static void parse_syscalls(const char *text, struct target *target)
{
  char *copy = strdup(text), *rest = copy, *name;
  size_t i;

  if (!copy) perror_die(ENOMEM, "can't copy '%s'", text);
  while ((name = strsep(&rest, ","))) {
    for (i = 0; i < COUNT(syscalls); i++)
      if (!strcmp(name, syscalls[i].name)) break;
    if (i == COUNT(syscalls)) die("unknown syscall '%s'", name);
    if (target->mask && syscalls[i].flags_arg < 0)
      die("-f: '%s' has no flags argument", name);
    if (syscalls[i].nr < 0) continue;
    if (target->count == MAX_CALLS) die("more than %d syscalls", MAX_CALLS);

    target->nr[target->count] = syscalls[i].nr;
    target->flags_arg[target->count++] = syscalls[i].flags_arg;
  }
  free(copy);

  if (!target->count) die("no syscall of '%s' on this architecture", text);
}

static struct sock_filter statement(uint16_t code, uint32_t k)
{
  return (struct sock_filter){ code, 0, 0, k };
}

static struct sock_filter jump(uint32_t k, int pc, int match, int other)
{
  return (struct sock_filter){ BPF_JMP_JEQ_K, match - pc - 1,
                               other - pc - 1, k };
}

/* Calls of this ABI that match target get action, all others are
 * allowed.  Returns the program's length. */
static int build_filter(struct sock_filter *prog, const struct target *target,
                        uint32_t action)
{
  int per_call = target->mask ? 4 : 1, pc = 0, i;
  int allow = 4 + target->count * per_call, act = allow + 1;

  prog[pc++] = statement(BPF_LD_W_ABS, offsetof(struct seccomp_data, arch));
  prog[pc] = jump(AUDIT_ARCH_SELF, pc, pc + 2, pc + 1);
  pc++;
  prog[pc++] = statement(BPF_RET_K, SECCOMP_RET_ALLOW);
  prog[pc++] = statement(BPF_LD_W_ABS, offsetof(struct seccomp_data, nr));

  for (i = 0; i < target->count; i++) {
    if (!target->mask) {
      prog[pc] = jump(target->nr[i], pc, act, pc + 1);
      pc++;
      continue;
    }

    /* The flags test overwrites the call number, so it ends the search. */
    prog[pc] = jump(target->nr[i], pc, pc + 1, pc + 4);
    pc++;
    prog[pc++] = statement(BPF_LD_W_ABS, offsetof(struct seccomp_data, args)
                           + 8 * target->flags_arg[i] + LOW_WORD);
    prog[pc++] = statement(BPF_ALU_AND_K, target->mask);
    prog[pc] = jump(target->mask, pc, act, allow);
    pc++;
  }

  prog[pc++] = statement(BPF_RET_K, SECCOMP_RET_ALLOW);
  prog[pc++] = statement(BPF_RET_K, action);

  return pc;
}

/* Installs the filter on this process; returns the listener, or 0. */
static int install_filter(const struct target *target, uint32_t action,
                          unsigned flags)
{
  struct sock_filter prog[4 + 4 * MAX_CALLS + 2];
  struct sock_fprog fprog = { build_filter(prog, target, action), prog };
  int no_new_privs = 0;
  long fd;

  for (;;) {
    fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (fd >= 0) return fd;

    /* Before Linux 5.19 a signal could cancel an answered call. */
    if (errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
      flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

    /* Only without CAP_SYS_ADMIN: as root, setuid programs keep working. */
    else if (errno == EACCES && !no_new_privs) {
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        perror_die(errno, "can't set 'no_new_privs'");
      no_new_privs = 1;
    } else break;
  }

  if (errno == EBUSY)
    die("can't install the seccomp filter: %s (only failsys -a can run "
        "under failsys)", strerror(EBUSY));
  perror_die(errno, "can't install the seccomp filter");
}

/* Runs argv as execvp() would, but through execveat(), which no filter
 * of failsys matches: failsys's own exec of COMMAND never counts. */
static _Noreturn void exec_target(char **argv)
{
  const char *path = getenv("PATH"), *dir, *end;
  char file[PATH_MAX];
  int err = ENOENT;
  size_t len;

  if (strchr(argv[0], '/')) {
    syscall(__NR_execveat, AT_FDCWD, argv[0], argv, environ, 0);
    err = errno;
  } else {
    if (!path) path = "/usr/local/bin:/bin:/usr/bin";
    for (dir = path;; dir = end + 1) {
      end = strchrnul(dir, ':');
      len = end - dir;

      /* An empty entry is the current directory. */
      if (len + strlen(argv[0]) + 3 <= sizeof(file)) {
        memcpy(file, dir, len);
        format(file + len, sizeof(file) - len, "%s/%s", len ? "" : ".",
               argv[0]);
        syscall(__NR_execveat, AT_FDCWD, file, argv, environ, 0);
        if (errno == EACCES) err = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
          err = errno;
          break;
        }
      }

      if (!*end) break;
    }
  }

  perror_msg(err, "can't execute '%s'", argv[0]);
  _exit(err == ENOENT ? 127 : 126);
}

static void send_fd(int sock, int fd)
{
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;

  memset(&control, 0, sizeof(control));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof(control.buf);
  cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

  while (sendmsg(sock, &msg, 0) < 0)
    if (errno != EINTR) perror_die(errno, "can't send the listener");
}

/* The descriptor the child sent, or -1 when it died first. */
static int receive_fd(int sock)
{
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  char byte;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  ssize_t len;
  int fd;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof(control.buf);
  while ((len = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR) perror_die(errno, "can't receive the listener");

  cmsg = CMSG_FIRSTHDR(&msg);
  if (len < 1 || !cmsg || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));

  return fd;
}

/* The supervisor's state: which call fails, and how many were seen. */
struct supervisor {
  int listener;
  pid_t child;
  int error;
  unsigned long nth;
  unsigned long seen;
};

/* Answers one notification: the nth call fails, the others proceed.  A
 * call counts once its answer is delivered: ENOENT from SEND means the
 * caller died or a signal cancelled the call (to be restarted as a new
 * notification).  That is also the only validity check failsys needs:
 * SECCOMP_IOCTL_NOTIF_ID_VALID guards reading the caller's memory, which
 * failsys never does. */
static void answer(struct supervisor *sv)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  int err;

  memset(&req, 0, sizeof(req));
  if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
    if (errno == EINTR || errno == ENOENT) return;
    perror_die(errno, "can't receive a seccomp notification");
  }

  memset(&resp, 0, sizeof(resp));
  resp.id = req.id;
  if (sv->seen + 1 == sv->nth) resp.error = -sv->error;
  else resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;

  if (!ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp)) {
    sv->seen++;
    return;
  }
  if (errno == ENOENT) return;

  err = errno;
  kill(sv->child, SIGKILL);
  if (err == EINVAL && resp.flags)
    die("can't let calls proceed: needs Linux 5.5 or later");
  perror_die(err, "can't answer a seccomp notification");
}

/* Answers notifications until the child exits; returns its wait status. */
static int supervise(struct supervisor *sv, int sigfd)
{
  struct pollfd fds[2] = { { sv->listener, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
  struct signalfd_siginfo info;
  int status;

  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      perror_die(errno, "can't poll the listener");
    }

    if (fds[0].revents & POLLIN) answer(sv);

    /* Hung up: no process uses the filter, the child is gone too. */
    if ((fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLIN))
      fds[0].fd = -1;

    if (fds[1].revents & POLLIN) {
      if (read(sigfd, &info, sizeof(info)) < 0 && errno != EAGAIN)
        perror_die(errno, "can't read the signalfd");
      if (waitpid(sv->child, &status, WNOHANG) == sv->child) return status;
    }
  }
}

static int exit_code(int status)
{
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);

  return WEXITSTATUS(status);
}

static void write_count(const char *path, unsigned long count)
{
  char line[32];
  size_t len = format(line, sizeof(line), "%u\n", (unsigned)count);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0) perror_die(errno, "can't open '%s'", path);
  if (write(fd, line, len) != (ssize_t)len)
    perror_die(errno, "can't write '%s'", path);
  close(fd);
}

/* Counting mode: the child runs COMMAND under the filter and sends its
 * listener here; this process answers every matching call. */
static int run_counting(struct supervisor *sv, const struct target *target,
                        char **command, const char *count_file)
{
  sigset_t chld, old;
  int sock[2], sigfd, status;

  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) perror_die(errno, "can't make a signalfd");
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock))
    perror_die(errno, "can't make a socket pair");

  sv->child = fork();
  if (sv->child < 0) perror_die(errno, "can't fork");
  if (!sv->child) {
    int listener;

    sigprocmask(SIG_SETMASK, &old, 0);
    close(sock[0]);
    listener = install_filter(target, SECCOMP_RET_USER_NOTIF,
                              SECCOMP_FILTER_FLAG_NEW_LISTENER |
                              SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    send_fd(sock[1], listener);
    close(listener);
    close(sock[1]);
    exec_target(command);
  }

  /* Hold no end of COMMAND's stdin or stdout: its pipes close with it. */
  close(sock[1]);
  close(0);
  close(1);

  /* No listener: the child died before COMMAND started, and said why. */
  sv->listener = receive_fd(sock[0]);
  close(sock[0]);
  if (sv->listener < 0) {
    while (waitpid(sv->child, &status, 0) < 0)
      if (errno != EINTR) perror_die(errno, "can't wait for the child");
  } else status = supervise(sv, sigfd);

  if (count_file) write_count(count_file, sv->seen);

  return exit_code(status);
}

int main(int argc, char **argv)
{
  struct supervisor sv = { -1, 0, 0, 1, 0 };
  struct target target = { { 0 }, { 0 }, 0, 0 };
  const char *count_file = 0;
  char *flags = 0;
  unsigned long value;
  int every = 0, counted = 0, opt;

  applet = &failsys;
  while ((opt = getopt(argc, argv, "+ac:f:n:")) != -1) {
    switch (opt) {
    case 'a':
      every = 1;
      break;
    case 'c':
      count_file = optarg;
      break;
    case 'f':
      flags = optarg;
      break;
    case 'n':
      if (parse_number(optarg, ~0UL, &sv.nth)) die("bad count '%s'", optarg);
      counted = 1;
      break;
    default:
      usage_die();
    }
  }
  if (argc - optind < 4 || strcmp(argv[optind + 2], "--")) usage_die();
  if (every && (count_file || counted))
    die("-a fails every call: it takes no -n or -c");

  if (flags) parse_flags(flags, &target.mask);
  parse_syscalls(argv[optind], &target);
  if (parse_named(argv[optind + 1], errnos, COUNT(errnos), 4095, &value))
    die("bad errno '%s'", argv[optind + 1]);
  sv.error = value;

  if (!every)
    return run_counting(&sv, &target, argv + optind + 3, count_file);

  install_filter(&target, SECCOMP_RET_ERRNO | sv.error, 0);
  exec_target(argv + optind + 3);
}
