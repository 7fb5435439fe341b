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
void msg(const char *fmt, ...);
void perror_msg(int err, const char *fmt, ...);
_Noreturn void die(const char *fmt, ...);
_Noreturn void perror_die(int err, const char *fmt, ...);
_Noreturn void usage_die(void);
size_t vformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...);
void out(const char *fmt, ...);

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

#endif
