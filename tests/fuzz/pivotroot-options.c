/* pivotroot-options.c - libFuzzer target: pivotroot's option parsing */

#include "../../applets/pivotroot.c"
#include "args.h"

static const struct applet fuzzed = { "pivotroot", 0, pivotroot_usage, 1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct switch_state s;
  char *argv[64], *text;

  split_args(data, size, "pivotroot", argv, 64, &text);
  applet = &fuzzed;
  memset(&s, 0, sizeof(s));
  step_mode = STEP_QUIET;
  if (!setjmp(fuzz_exit)) parse_options(argv, &s);
  free(text);

  return 0;
}
