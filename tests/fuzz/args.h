/* args.h - turn a fuzzer's bytes into an argv, and survive die()
 *
 * The input is split at NUL bytes into arguments after the applet's name.
 * die() and usage_die() end in xexit(), which jumps back here instead.
 */

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jmp_buf fuzz_exit;

_Noreturn void xexit(int status)
{
  longjmp(fuzz_exit, status ? status : -1);
}

/* Fills argv (at most max - 1 arguments, then NULL) from a copy of data;
 * returns argc.  The copy is *text, for the caller to free. */
static int split_args(const uint8_t *data, size_t size, const char *name,
                      char **argv, int max, char **text)
{
  size_t at;
  int argc = 1;

  *text = malloc(size + 1);
  memcpy(*text, data, size);
  (*text)[size] = 0;
  argv[0] = (char *)name;
  for (at = 0; at < size && argc < max - 1; at += strlen(*text + at) + 1)
    argv[argc++] = *text + at;
  argv[argc] = 0;

  return argc;
}
