/* spec-print.c - print what spec_parse() makes of each argument
 *
 * For every argument: "NEW|OLD" when the spec is good, "bad: REASON" when
 * it is not.  Lets tests/spec.test check the parser without a root switch.
 */

#include "libbb.h"

static const struct applet spec_print = { "spec-print", 0, "", 1 };

int main(int argc, char **argv)
{
  struct spec spec;
  int i;

  applet = &spec_print;
  for (i = 1; i < argc; i++) {
    const char *reason;

    if (spec_parse(argv[i], &spec, &reason)) out("bad: %s", reason);
    else out("%s|%s", spec.new_root, spec.old_root);
  }

  return 0;
}
