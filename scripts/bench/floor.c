/* floor.c - the least a program can do to run a command inside a root
 *
 * The bench's floor for "nsrun --no-api -D DIR COMMAND": a new mount
 * namespace, made private, DIR bound onto itself, pivot_root(2) with the
 * old root stacked on the new one, the old root detached, then exec.
 * No checks beyond the kernel's answers, no fork.
 *
 *   floor DIR COMMAND [ARG...]
 */

#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(const char *what)
{
  static const char prefix[] = "floor: can't ";

  write(2, prefix, sizeof(prefix) - 1);
  write(2, what, strlen(what));
  write(2, "\n", 1);
  return 125;
}

int main(int argc, char **argv)
{
  if (argc < 3) return fail("run without DIR and COMMAND");
  if (unshare(CLONE_NEWNS)) return fail("unshare the mount namespace");
  if (mount(0, "/", 0, MS_REC | MS_PRIVATE, 0)) return fail("make / private");
  if (mount(argv[1], argv[1], 0, MS_BIND | MS_REC, 0)) return fail("bind");
  if (chdir(argv[1])) return fail("chdir");

  /* pivot_root(".", "."): no directory for the old root is needed, it
   * lands on top of the new one, and the cwd is already where it goes. */
  if (syscall(SYS_pivot_root, ".", ".")) return fail("pivot_root");
  if (umount2(".", MNT_DETACH)) return fail("detach the old root");

  execv(argv[2], argv + 2);
  return fail("exec");
}
