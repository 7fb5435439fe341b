/* main.c - the multicall binary: find the applet by name and run it */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "libbb.h"

#define APPLET(name, fail_code) \
  int name##_main(int argc, char **argv); \
  extern const char name##_usage[];
#include "applets.h"
#undef APPLET

static const struct applet applets[] = {
#define APPLET(name, fail_code) { #name, name##_main, name##_usage, fail_code },
#include "applets.h"
#undef APPLET
  { 0 }
};

static const char pivotbox_usage[] =
  "usage: pivotbox APPLET [ARG...]\n"
  "       pivotbox --list | --help | --version | --install [-s] DIR\n"
  "\n"
  "Switch a system, or a command, into another root directory. Run an\n"
  "applet by name, or through a link named after it.\n"
  "\n"
  "--list         the applet names, one per line\n"
  "--install DIR  a hard link (-s: symbolic) in DIR for each applet\n";

static const struct applet pivotbox = {
  "pivotbox", 0, pivotbox_usage, 1
};

static const struct applet *find_applet(const char *name)
{
  const struct applet *a;

  for (a = applets; a->name; a++)
    if (!strcmp(a->name, name)) return a;

  return 0;
}

static int install_links(const char *dir, int symbolic)
{
  char self[PATH_MAX], link_path[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  const struct applet *a;

  if (len < 0) perror_die(errno, "can't read link '/proc/self/exe'");
  self[len] = 0;

  for (a = applets; a->name; a++) {
    int err;

    if (format(link_path, sizeof(link_path), "%s/%s", dir, a->name) >=
        sizeof(link_path))
      perror_die(ENAMETOOLONG, "can't link '%s'", dir);

    /* Replace what is there, as ln -f does. */
    if (unlink(link_path) && errno != ENOENT)
      perror_die(errno, "can't remove '%s'", link_path);
    err = symbolic ? symlink(self, link_path) : link(self, link_path);
    if (err) perror_die(errno, "can't link '%s'", link_path);
  }

  return 0;
}

/* The multicall binary's own options: argv[1] starts with '-'. */
static int pivotbox_main(int argc, char **argv)
{
  const char *opt = argv[1];
  const struct applet *a;

  if (!opt) usage_die();

  if (!strcmp(opt, "--help")) {
    write_text(1, pivotbox_usage);
    return 0;
  }
  if (!strcmp(opt, "--version")) {
    out("pivotbox %s", PIVOTBOX_VERSION);
    return 0;
  }
  if (!strcmp(opt, "--list")) {
    for (a = applets; a->name; a++) out("%s", a->name);
    return 0;
  }
  if (!strcmp(opt, "--install")) {
    int symbolic = argc > 2 && !strcmp(argv[2], "-s");

    if (argc != 3 + symbolic) usage_die();
    return install_links(argv[2 + symbolic], symbolic);
  }
  msg("unknown option %s", opt);
  usage_die();
}

/* A setuid pivotbox would let anyone move mounts. */
static void refuse_setuid(void)
{
  /* The kernel sets AT_SECURE when the ids it started us with differ. */
  if (getauxval(AT_SECURE)) die("can't run setuid or setgid");
}

int main(int argc, char **argv)
{
  const char *name = argv[0] ? argv[0] : "pivotbox";
  const char *slash = strrchr(name, '/');

  if (slash) name = slash + 1;
  if (*name == '-') name++;

  /* Any name starting with "pivotbox" is the multicall binary itself. */
  if (!strncmp(name, "pivotbox", 8)) {
    applet = &pivotbox;
    if (argc < 2 || *argv[1] == '-') {
      refuse_setuid();
      return pivotbox_main(argc, argv);
    }
    argc--;
    argv++;
    name = argv[0];
  }

  if (!(applet = find_applet(name))) {
    applet = &pivotbox;
    msg("applet not found: %s", name);
    return 127;
  }
  refuse_setuid();

  if (argc > 1 && !strcmp(argv[1], "--help")) {
    write_text(1, applet->usage);
    return 0;
  }

  return applet->main(argc, argv);
}
