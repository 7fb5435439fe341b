/* nsrun-options.c - libFuzzer target: nsrun's option parsing */

#include "../../applets/nsrun.c"
#include "args.h"

static const struct applet fuzzed = { "nsrun", 0, nsrun_usage, 125 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct nsrun run;
  struct extra_mount mounts[64];
  char *argv[64], *text;

  split_args(data, size, "nsrun", argv, 64, &text);
  applet = &fuzzed;
  memset(&run, 0, sizeof(run));
  run.mounts = mounts;
  step_mode = STEP_QUIET;
  if (!setjmp(fuzz_exit)) parse_options(&run, argv);
  free(text);

  return 0;
}
