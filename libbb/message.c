/* message.c - messages, each written with one write(2) */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libbb.h"

const struct applet *applet;

/* How the die() family ends the process; a fuzzer links its own, to go
 * on with the next input. */
__attribute__((weak)) _Noreturn void xexit(int status)
{
  exit(status);
}

static size_t put(char *buf, size_t size, size_t len, const char *s, size_t n)
{
  if (len < size) memcpy(buf + len, s, len + n < size ? n : size - len);

  return len + n;
}

/* Like vsnprintf() for %s, %d, %u, %c and %%: all pivotbox needs, without
 * pulling stdio into the binary.  Returns the length it wanted. */
size_t vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
  size_t len = 0;

  for (; *fmt; fmt++) {
    char num[24], *p = num + sizeof(num);
    const char *s;
    unsigned long long n;
    int negative = 0;
    char c;

    if (*fmt != '%') {
      len = put(buf, size, len, fmt, 1);
      continue;
    }
    switch (*++fmt) {
    case 's':
      s = va_arg(ap, const char *);
      len = put(buf, size, len, s, strlen(s));
      continue;
    case 'c':
      c = va_arg(ap, int);
      len = put(buf, size, len, &c, 1);
      continue;
    case 'd':
    case 'u':
      if (*fmt == 'u') n = va_arg(ap, unsigned);
      else {
        int i = va_arg(ap, int);

        negative = i < 0;
        n = negative ? -(long long)i : i;
      }
      do *--p = '0' + n % 10; while (n /= 10);
      if (negative) *--p = '-';
      len = put(buf, size, len, p, num + sizeof(num) - p);
      continue;
    case 0:
      fmt--;
      /* fall through */
    default:
      len = put(buf, size, len, "%", 1);
    }
  }
  if (size) buf[len < size ? len : size - 1] = 0;

  return len;
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  size_t len;

  va_start(ap, fmt);
  len = vformat(buf, size, fmt, ap);
  va_end(ap);

  return len;
}

/* "APPLET: text[: strerror]\n" to fd, cut to fit two paths and words. */
static void emit(int fd, int err, const char *fmt, va_list ap)
{
  char line[2 * PATH_MAX + 256];
  size_t len = 0, size = sizeof(line) - 1;

  if (fd == 2) {
    len = put(line, size, len, applet->name, strlen(applet->name));
    len = put(line, size, len, ": ", 2);
  }
  if (len < size) len += vformat(line + len, size - len, fmt, ap);
  if (err) {
    const char *s = strerror(err);

    len = put(line, size, len, ": ", 2);
    len = put(line, size, len, s, strlen(s));
  }
  if (len > size) len = size;
  line[len++] = '\n';

  while (write(fd, line, len) < 0 && errno == EINTR);
}

/* msg(), perror_msg() and out() are this, through macros: one function
 * with a variable argument list costs less than five. */
void say(int fd, int err, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  emit(fd, err < 0 ? -err : err, fmt, ap);
  va_end(ap);
}

/* die() and perror_die() */
_Noreturn void say_and_die(int err, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  emit(2, err < 0 ? -err : err, fmt, ap);
  va_end(ap);
  xexit(applet->fail_code);
}

void write_text(int fd, const char *text)
{
  size_t len = strlen(text);

  while (write(fd, text, len) < 0 && errno == EINTR);
}

_Noreturn void usage_die(void)
{
  write_text(2, applet->usage);
  xexit(applet->fail_code);
}
