/* nsrun.c - run a command in new namespaces, inside a root directory
 *
 * A recovery shell into an installed system, or a test of an image:
 * systemd-nspawn's --directory and --pivot-root, in a few kilobytes.
 */

//config:config NSRUN
//config:	bool "nsrun"
//config:	default y
//config:	help
//config:	  nsrun [OPTIONS] [--] COMMAND [ARG...]
//config:
//config:	  Run COMMAND in a new mount namespace (and others on request)
//config:	  inside a root directory, with systemd-nspawn's --pivot-root.
//applet:APPLET(nsrun, 125)

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <string.h>

#include "libbb.h"

const char nsrun_usage[] =
  "usage: nsrun [OPTIONS] [--] COMMAND [ARG...]\n"
  "\n"
  "Run COMMAND in a new mount namespace, inside a root directory.\n"
  "Paths for -P, -b, -r, -t and -w are resolved inside DIR.\n"
  "\n"
  "-D, --directory=DIR     root of the image to run in\n"
  "-P, --pivot-root=NEW[:OLD]\n"
  "                        NEW (in DIR) becomes /, DIR's root goes to OLD\n"
  "                        or is dropped when OLD is empty\n"
  "-b, --bind=SRC[:DST]    bind host SRC at DST (default SRC) in the root\n"
  "-r, --bind-ro=SRC[:DST] the same, read-only\n"
  "-t, --tmpfs=DST         mount a tmpfs at DST\n"
  "-p, --pid               new PID namespace (COMMAND is PID 1)\n"
  "-2, --as-pid2           with --pid, a tiny init is PID 1, COMMAND PID 2\n"
  "-u, --uts  -i, --ipc  -n, --net (loopback up)  -C, --cgroup  -T, --time\n"
  "                        the other namespaces\n"
  "-U, --user              new user namespace, caller mapped to root\n"
  "-h, --hostname=NAME     set the hostname (implies --uts)\n"
  "-w, --chdir=DIR         working directory inside the root (default /)\n"
  "    --host-dev          bind the host's /dev instead of a minimal one\n"
  "    --no-api            mount no /proc, /sys or /dev\n"
  "-v, --verbose           print each mount and pivot step\n"
  "\n"
  "Exit status: COMMAND's, or 128+N if a signal N killed it; 125 when\n"
  "nsrun fails, 126 when COMMAND can't be run, 127 when it isn't found.\n";

enum { OPT_HOST_DEV = 256, OPT_NO_API };

static const struct option long_options[] = {
  { "directory", required_argument, 0, 'D' },
  { "pivot-root", required_argument, 0, 'P' },
  { "bind", required_argument, 0, 'b' },
  { "bind-ro", required_argument, 0, 'r' },
  { "tmpfs", required_argument, 0, 't' },
  { "pid", no_argument, 0, 'p' },
  { "uts", no_argument, 0, 'u' },
  { "ipc", no_argument, 0, 'i' },
  { "net", no_argument, 0, 'n' },
  { "cgroup", no_argument, 0, 'C' },
  { "time", no_argument, 0, 'T' },
  { "user", no_argument, 0, 'U' },
  { "hostname", required_argument, 0, 'h' },
  { "chdir", required_argument, 0, 'w' },
  { "as-pid2", no_argument, 0, '2' },
  { "host-dev", no_argument, 0, OPT_HOST_DEV },
  { "no-api", no_argument, 0, OPT_NO_API },
  { "verbose", no_argument, 0, 'v' },
  { 0, 0, 0, 0 }
};

/* One -b, -r or -t, in the order given; text is parsed again when the
 * mount is made, so nothing here needs the heap. */
struct extra_mount {
  int kind;
  const char *text;
};

struct nsrun {
  const char *directory;
  struct spec pivot;
  int has_pivot;
  struct extra_mount *mounts;
  int mount_count;
  int clone_flags;
  const char *hostname;
  char chdir[PATH_MAX];
  int as_pid2, host_dev, no_api, verbose;
};

/* Split "SRC[:DST]" (or "DST" for a tmpfs) into two normalised paths. */
static int mount_parse(const struct extra_mount *mount, char *source,
                       char *target, const char **reason)
{
  int err;

  if (mount->kind == 't') {
    err = split_escaped(mount->text, target, source, reason);
    if (!err && *source) {
      *reason = "a tmpfs takes no ':'";
      err = -EINVAL;
    }
  } else {
    err = split_escaped(mount->text, source, target, reason);
    if (!err && !*target) strcpy(target, source);
  }
  if (!err && *source) err = path_normalize(source, reason);
  if (!err) err = path_normalize(target, reason);

  return err;
}

static void add_mount(struct nsrun *run, int kind, const char *text)
{
  struct extra_mount *mount = run->mounts + run->mount_count++;
  char source[PATH_MAX], target[PATH_MAX];
  const char *reason;

  mount->kind = kind;
  mount->text = text;
  if (mount_parse(mount, source, target, &reason))
    die("bad mount '%s': %s", text, reason);
}

static void parse_options(struct nsrun *run, int argc, char **argv)
{
  const char *reason;
  int opt;

  while ((opt = getopt_long(argc, argv, "+:D:P:b:r:t:puinCTUh:w:2v",
                            long_options, 0)) != -1) {
    switch (opt) {
    case 'D': run->directory = optarg; break;
    case 'P':
      xspec_parse(optarg, &run->pivot);
      run->has_pivot = 1;
      break;
    case 'b':
    case 'r':
    case 't': add_mount(run, opt, optarg); break;
    case 'p': run->clone_flags |= CLONE_NEWPID; break;
    case 'u': run->clone_flags |= CLONE_NEWUTS; break;
    case 'i': run->clone_flags |= CLONE_NEWIPC; break;
    case 'n': run->clone_flags |= CLONE_NEWNET; break;
    case 'C': run->clone_flags |= CLONE_NEWCGROUP; break;
    case 'T': run->clone_flags |= CLONE_NEWTIME; break;
    case 'U': run->clone_flags |= CLONE_NEWUSER; break;
    case 'h':
      run->hostname = optarg;
      run->clone_flags |= CLONE_NEWUTS;
      break;
    case 'w':
      if (strlen(optarg) >= PATH_MAX)
        die("bad directory '%s': longer than PATH_MAX", optarg);
      strcpy(run->chdir, optarg);
      if (path_normalize(run->chdir, &reason))
        die("bad directory '%s': %s", optarg, reason);
      break;
    case '2': run->as_pid2 = 1; break;
    case 'v': run->verbose = 1; break;
    case OPT_HOST_DEV: run->host_dev = 1; break;
    case OPT_NO_API: run->no_api = 1; break;
    case ':':
      msg("option %s needs an argument", argv[optind - 1]);
      usage_die();
    default:
      if (optopt) msg("unknown option -%c", optopt);
      else msg("unknown option %s", argv[optind - 1]);
      usage_die();
    }
  }
  if (optind >= argc) {
    msg("missing COMMAND");
    usage_die();
  }
  if (run->as_pid2 && !(run->clone_flags & CLONE_NEWPID))
    die("--as-pid2 needs --pid");
}

int nsrun_main(int argc, char **argv)
{
  static struct nsrun run;
  struct extra_mount mounts[argc];

  run.mounts = mounts;
  strcpy(run.chdir, "/");
  parse_options(&run, argc, argv);

  die("can't run '%s': namespaces are not built yet", argv[optind]);
}
