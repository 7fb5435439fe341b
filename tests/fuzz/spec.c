/* spec.c - libFuzzer target: spec_parse() on any bytes
 *
 * Beyond not crashing, a spec that parses must come out normalised: both
 * paths absolute, no empty, "." or ".." component, no trailing "/".
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libbb.h"

static void check_normal(const char *path, int may_be_empty)
{
  const char *p;

  if (!*path) {
    if (!may_be_empty) abort();
    return;
  }
  if (*path != '/' || !strcmp(path, "/") || strlen(path) >= PATH_MAX)
    abort();
  for (p = path; *p; p++) {
    if (*p != '/') continue;
    if (p[1] == '/' || !p[1]) abort();
    if (p[1] == '.' && (p[2] == '/' || !p[2])) abort();
    if (p[1] == '.' && p[2] == '.' && (p[3] == '/' || !p[3])) abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct spec spec;
  const char *reason = 0;
  char *text = malloc(size + 1);

  memcpy(text, data, size);
  text[size] = 0;
  if (spec_parse(text, &spec, &reason)) {
    if (!reason || !*reason) abort();
  } else {
    check_normal(spec.new_root, 0);
    check_normal(spec.old_root, 1);
  }
  free(text);

  return 0;
}
