#!/bin/sh
# Generate what the build needs from the applets' own header lines:
#   genconfig.sh kconfig OUT      the //config: lines of every applet, as Kconfig
#   genconfig.sh headers CONFIG DIR
#                                 DIR/config.h, DIR/applets.h and DIR/applets.mk
#                                 for the applets turned on in CONFIG
set -eu

applet_files() {
  grep -l '^//applet:' applets/*.c | sort
}

case "${1:-}" in
kconfig)
  out=$2
  for file in $(applet_files); do
    sed -n 's|^//config:||p' "$file"
    echo
  done >"$out.tmp"
  mv "$out.tmp" "$out"
  ;;
headers)
  config=$2 dir=$3
  {
    echo "/* generated from $config: do not edit */"
    sed -n \
      -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/#define \1 1/p' \
      -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/#define \1 0/p' \
      -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\([0-9"].*\)$/#define \1 \2/p' \
      "$config"
  } >"$dir/config.h.tmp"
  enabled=
  for file in $(applet_files); do
    symbol=$(sed -n 's|^//config:config \([A-Z0-9_]*\)$|\1|p' "$file" | head -n 1)
    grep -q "^CONFIG_$symbol=y\$" "$config" && enabled="$enabled $file"
  done
  {
    echo "/* generated: the applets turned on */"
    for file in $enabled; do sed -n 's|^//applet:||p' "$file"; done
  } >"$dir/applets.h.tmp"
  echo "APPLET_SRCS :=$enabled" >"$dir/applets.mk.tmp"
  # Touch only what changed, so make rebuilds only what depends on it.
  for name in config.h applets.h applets.mk; do
    if cmp -s "$dir/$name.tmp" "$dir/$name"; then
      rm "$dir/$name.tmp"
    else
      mv "$dir/$name.tmp" "$dir/$name"
    fi
  done
  ;;
*)
  echo "usage: $0 kconfig OUT | headers CONFIG DIR" >&2
  exit 1
  ;;
esac
