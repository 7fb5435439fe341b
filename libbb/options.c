/* options.c - command line options, short and long, without getopt
 *
 * What the applets need of getopt_long(), in a few hundred bytes and with
 * no stdio: "-abc" clusters, "-cARG" and "-c ARG", "--name=ARG" and
 * "--name ARG", "--" ending the options, and the first argument that is
 * not an option ending them too.  Long names must be given in full.
 */

#include <string.h>

#include "libbb.h"

/* The option at argv[o->next], or -1 when the options have ended (then
 * o->next is the first argument after them).  A wrong option ends the
 * applet with a message and its usage. */
int option_next(struct option_state *o, char **argv, const char *shorts,
                const struct long_option *longs)
{
  const char *arg = o->cluster, *at;
  size_t len;

  o->arg = 0;
  if (!arg || !*arg) {
    arg = argv[o->next];
    if (!arg || *arg != '-' || !arg[1]) return -1;
    o->next++;
    if (!strcmp(arg, "--")) return -1;
    if (arg[1] == '-') {
      arg += 2;
      len = strchrnul(arg, '=') - arg;
      for (; longs && longs->name; longs++)
        if (!strncmp(longs->name, arg, len) && !longs->name[len]) break;
      if (!longs || !longs->name) {
        msg("unknown option --%s", arg);
        usage_die();
      }
      if (arg[len] == '=') {
        if (!longs->has_arg) {
          msg("option --%s takes no argument", longs->name);
          usage_die();
        }
        o->arg = arg + len + 1;
      } else if (longs->has_arg && !(o->arg = argv[o->next++])) {
        msg("option --%s needs an argument", longs->name);
        usage_die();
      }
      return longs->id;
    }
    arg++;
  }

  /* One letter of a cluster such as "-nvk". */
  o->cluster = arg + 1;
  if (*arg == ':' || !(at = strchr(shorts, *arg))) {
    msg("unknown option -%c", *arg);
    usage_die();
  }
  if (at[1] == ':') {
    o->arg = *o->cluster ? o->cluster : argv[o->next++];
    o->cluster = 0;
    if (!o->arg) {
      msg("option -%c needs an argument", *arg);
      usage_die();
    }
  }

  return *arg;
}
