/* libbb.h - what the pivotbox applets share
 *
 * Plain functions return 0 or -errno and print nothing; the x-prefixed
 * ones succeed or print a message and exit with the applet's failure code.
 */

#ifndef LIBBB_H
#define LIBBB_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>

/* The applet that is running: its name prefixes every message. */
struct applet {
  const char *name;
  int (*main)(int argc, char **argv);
  const char *usage;
  int fail_code;
};

extern const struct applet *applet;

/* Messages: one write(2) each, "NAME: text" or "NAME: text: strerror".
 * The format knows %s, %d, %u, %c and %%, nothing else. */
void say(int fd, int err, const char *fmt, ...);
_Noreturn void say_and_die(int err, const char *fmt, ...);
#define msg(...) say(2, 0, __VA_ARGS__)
#define perror_msg(err, ...) say(2, err, __VA_ARGS__)
#define out(...) say(1, 0, __VA_ARGS__)
#define die(...) say_and_die(0, __VA_ARGS__)
#define perror_die(err, ...) say_and_die(err, __VA_ARGS__)
/* TEXT in one write(2), as it is: usage texts. */
void write_text(int fd, const char *text);
_Noreturn void usage_die(void);
_Noreturn void xexit(int status);
size_t vformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...);

/* Options, parsed as getopt_long() would with "+" (stop at the first
 * argument that is not an option).  shorts is "ab:c", ':' after a letter
 * that takes an argument.  options.c */
struct long_option {
  const char *name;
  int has_arg;
  int id;
};

struct option_state {
  int next;              /* argv index to look at next; start at 1 */
  const char *cluster;   /* the rest of "-abc" still to hand out */
  const char *arg;       /* the current option's argument */
};

int option_next(struct option_state *o, char **argv, const char *shorts,
                const struct long_option *longs);

/* "FIRST[:SECOND]" with backslash escapes, into two PATH_MAX buffers;
 * SECOND is empty when there is no colon. */
int split_escaped(const char *text, char *first, char *second,
                  const char **reason);

/* Absolute path cleaned in place: "//" folded, "." and a trailing "/"
 * dropped; ".." refused. */
int path_normalize(char *path, const char **reason);

/* The spec NEW[:OLD]: old_root is empty when the old root is detached.
 * On failure *reason reads like "NEW must be an absolute path". */
struct spec {
  char new_root[PATH_MAX];
  char old_root[PATH_MAX];
};

int spec_parse(const char *text, struct spec *spec, const char **reason);
void xspec_parse(const char *text, struct spec *spec);

/* The mount table.  mountinfo.c */

struct mount_info {
  int id, parent_id;
  const char *path;     /* mount point, unescaped */
  const char *fstype;
  unsigned long propagation;  /* MS_SHARED, MS_SLAVE, MS_PRIVATE or
                                 MS_UNBINDABLE */
};

/* Called for each mount in /proc/self/mountinfo order; nonzero stops. */
typedef int mount_fn(void *ctx, const struct mount_info *info);

int mountinfo_walk(mount_fn *fn, void *ctx);
/* The topmost mount whose mount point is exactly PATH, or -ENOENT. */
int mount_at(const char *path, struct mount_info *info);
/* The mount PATH lies on; its mount point goes to mount_point. */
int mount_containing(const char *path, struct mount_info *info,
                     char *mount_point);

/* Mount steps, each printed the way mount(8) would be called to do it:
 * under "-n" on stdout instead of being done, under "-v" on stderr as it is
 * done.  Every step that changes something is written in the journal, and
 * journal_undo() takes the changes back in reverse.  mount.c */

enum step_mode { STEP_QUIET, STEP_VERBOSE, STEP_PLAN };

/* The API filesystems that follow a root switch: /dev, /proc, /sys, /run. */
#define API_MOUNT_COUNT 4
extern const char *const api_mounts[API_MOUNT_COUNT];
extern enum step_mode step_mode;

enum undo_kind { UNDO_RMDIR, UNDO_UNMOUNT, UNDO_MOVE, UNDO_PROPAGATION,
                 UNDO_PIVOT, UNDO_PIVOT_STACKED };

struct undo {
  enum undo_kind kind;
  unsigned long flags;
  const char *path, *other;
};

struct journal {
  struct undo changes[64];
  int count;
  char strings[16384];
  size_t used;
};

/* The step_* functions take a NULL journal too: for changes that need no
 * undo, as in a mount namespace that dies when they fail. */
void step_print(const char *fmt, ...);
int journal_add(struct journal *journal, enum undo_kind kind,
                unsigned long flags, const char *path, const char *other);
void journal_undo(struct journal *journal);

int step_mkdir_in_root(struct journal *journal, int root_fd,
                       const char *root, const char *path, char *resolved);
int step_propagation(struct journal *journal, const char *path,
                     unsigned long flags, unsigned long was);
int step_bind(struct journal *journal, const char *from, const char *to,
              unsigned long flags);
int step_move(struct journal *journal, const char *from, const char *to);
int step_pivot(struct journal *journal, const char *new_root,
               const char *old_root, int old_root_fd);
int step_detach(const char *path);
const char *propagation_name(unsigned long flags);

/* Is PATH DIR or below it?  Both absolute and normalised. */
int path_is_below(const char *path, const char *dir);

/* mount(2), printed as mount(8) would do it: a bind (MS_BIND, MS_REC), a
 * remount (MS_REMOUNT) or a new filesystem of FSTYPE with DATA.  TARGET is
 * the path shown and journaled; AT, when set, is where the mount is made
 * instead (a "/proc/self/fd/N" for the same directory).  A remount is not
 * journaled. */
int step_mount(struct journal *journal, const char *source,
               const char *target, const char *at, const char *fstype,
               unsigned long flags, const char *data);

/* What pivot_root(2) does to "/", done to the mount ROOT in place: NEW (a
 * directory below ROOT, symlinks resolved) ends up at ROOT with ROOT's own
 * tree at OLD inside it (made when missing, looked up inside NEW), or with
 * ROOT's tree detached when OLD is empty.  SCRATCH is a directory outside
 * ROOT, on a mount that is not shared, where NEW waits meanwhile: nothing
 * is made there and nothing stays.  With OLD empty the detach can't be
 * undone. */
int move_mount_tree(struct journal *journal, const char *root,
                    const char *new_root, const char *old_root,
                    const char *scratch);

/* Paths inside a root directory, as if it were "/": no symlink, absolute
 * or relative, and no ".." ever leads out of it.  resolve.c */

/* Called with the full path of each directory resolve_in_root() creates,
 * in order, so the caller can remove them again. */
typedef void created_fn(void *ctx, const char *path);

/* Look PATH (absolute, taken relative to ROOT) up inside ROOT_FD, the
 * directory ROOT.  With created set, missing components are made as
 * directories (0755) and reported to created(ctx, ...).  Returns an O_PATH
 * descriptor of the last component, close-on-exec, or -errno; when
 * resolved is not NULL it receives ROOT plus the path with every symlink
 * resolved (PATH_MAX bytes). */
int resolve_in_root(int root_fd, const char *root, const char *path,
                    char *resolved, created_fn *created, void *ctx);

/* execvp(3), smaller: ARGV[0] from PATH (or a default PATH).  Returns the
 * errno to report when nothing could be run. */
int exec_command(char **argv);

/* realpath(3) into a PATH_MAX buffer, without malloc: 0 or -errno. */
int real_path(const char *path, char *resolved);

/* Is COMMAND runnable once ROOT is "/"?  A name without '/' is searched
 * in PATH_SEARCH (or a default PATH).  The file must be a regular file with
 * an execute bit; an ELF program's interpreter and a script's "#!"
 * interpreter must exist in ROOT too.  Returns 0, or -ENOENT (not found)
 * or another -errno (found, not runnable) with *reason saying what. */
int check_command_in_root(const char *root, const char *command,
                          const char *path_search, const char **reason);

#endif
