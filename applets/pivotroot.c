/* pivotroot.c - make a directory the root of the running system
 *
 * The last step of an initramfs, an overlay switch or a jump into another
 * deployment: NEW becomes "/", the old root stays at OLD inside it or is
 * detached, and COMMAND, if given, is exec'd in the new root.
 */

//config:config PIVOTROOT
//config:	bool "pivotroot"
//config:	default y
//config:	help
//config:	  pivotroot [-nvk] [-c CONSOLE] NEW[:OLD] [COMMAND [ARG...]]
//config:
//config:	  Make directory NEW the root of the running system, keeping
//config:	  the old root at OLD inside it, or detaching it.
//applet:APPLET(pivotroot, 1)

#include <unistd.h>

#include "libbb.h"

const char pivotroot_usage[] =
  "usage: pivotroot [-nvk] [-c CONSOLE] NEW[:OLD] [COMMAND [ARG...]]\n"
  "\n"
  "Make directory NEW the root of the running system. The old root is\n"
  "kept at OLD inside NEW, or detached when OLD is empty. With COMMAND,\n"
  "chdir to / and exec it (as an initramfs /init's last line would).\n"
  "A backslash escapes a ':' or a '\\' in the paths.\n"
  "\n"
  "-n          print the plan, change nothing\n"
  "-v          print each step as it is done\n"
  "-k          keep /dev, /proc, /sys and /run where they are\n"
  "-c CONSOLE  reopen stdin, stdout and stderr on CONSOLE (in NEW)\n";

int pivotroot_main(int argc, char **argv)
{
  struct spec spec;
  int opt;

  while ((opt = getopt(argc, argv, "+:nvkc:")) != -1) {
    switch (opt) {
    case 'n':
    case 'v':
    case 'k':
    case 'c':
      break;
    case ':':
      msg("option -%c needs an argument", optopt);
      usage_die();
    default:
      msg("unknown option -%c", optopt);
      usage_die();
    }
  }
  if (optind >= argc) {
    msg("missing NEW[:OLD]");
    usage_die();
  }
  xspec_parse(argv[optind], &spec);

  die("can't switch to '%s': switching is not built yet", spec.new_root);
}
