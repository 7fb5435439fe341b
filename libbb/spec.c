/* spec.c - the NEW[:OLD] spec both applets take */

#include <errno.h>
#include <string.h>

#include "libbb.h"

int split_escaped(const char *text, char *first, char *second,
                  const char **reason)
{
  char *to = first;
  size_t len = 0;
  int split = 0;

  *second = 0;
  for (; *text; text++) {
    char c = *text;

    if (c == '\\') {
      if (!*++text) {
        *reason = "ends in a lone backslash";
        return -EINVAL;
      }
      c = *text;
    } else if (c == ':') {
      if (split++) {
        *reason = "more than one ':' (write '\\:' for a colon in a path)";
        return -EINVAL;
      }
      *to = 0;
      to = second;
      len = 0;
      continue;
    }

    if (++len >= PATH_MAX) {
      *to = 0;
      *reason = "a path is longer than PATH_MAX";
      return -ENAMETOOLONG;
    }
    *to++ = c;
  }
  *to = 0;

  return 0;
}

/* Reasons a path is refused, in the order clean_path() numbers them. */
enum { PATH_OK, PATH_RELATIVE, PATH_DOTDOT };

static int clean_path(char *path)
{
  char *from = path, *to = path;

  if (*path != '/') return PATH_RELATIVE;

  while (*from) {
    char *end;
    size_t len;

    while (*from == '/') from++;
    end = strchrnul(from, '/');
    len = end - from;
    if (len == 2 && from[0] == '.' && from[1] == '.') return PATH_DOTDOT;
    if (len && !(len == 1 && *from == '.')) {
      *to++ = '/';
      memmove(to, from, len);
      to += len;
    }
    from = end;
  }
  if (to == path) *to++ = '/';
  *to = 0;

  return PATH_OK;
}

int path_normalize(char *path, const char **reason)
{
  static const char *const why[] = {
    [PATH_RELATIVE] = "must be an absolute path",
    [PATH_DOTDOT] = "must not contain '..'",
  };
  int bad = clean_path(path);

  if (!bad) return 0;
  *reason = why[bad];

  return -EINVAL;
}

int spec_parse(const char *text, struct spec *spec, const char **reason)
{
  static const char *const why[][2] = {
    [PATH_RELATIVE] = { "NEW must be an absolute path",
                        "OLD must be an absolute path" },
    [PATH_DOTDOT] = { "NEW must not contain '..'",
                      "OLD must not contain '..'" },
  };
  char *old = spec->old_root;
  int err = split_escaped(text, spec->new_root, old, reason);
  int bad;

  /* Only the half that overflowed has text in OLD's buffer. */
  if (err == -ENAMETOOLONG)
    *reason = *old ? "OLD is longer than PATH_MAX"
                   : "NEW is longer than PATH_MAX";
  if (err) return err;

  if (!*spec->new_root) {
    *reason = "NEW is empty";
    return -EINVAL;
  }
  if ((bad = clean_path(spec->new_root))) {
    *reason = why[bad][0];
    return -EINVAL;
  }
  if (*old && (bad = clean_path(old))) {
    *reason = why[bad][1];
    return -EINVAL;
  }
  if (!strcmp(spec->new_root, "/")) {
    *reason = "NEW must not be '/'";
    return -EINVAL;
  }
  if (!strcmp(old, "/")) {
    *reason = "OLD must not be '/'";
    return -EINVAL;
  }

  return 0;
}

void xspec_parse(const char *text, struct spec *spec)
{
  const char *reason;

  if (spec_parse(text, spec, &reason))
    die("bad spec '%s': %s", text, reason);
}
