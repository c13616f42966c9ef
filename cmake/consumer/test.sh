#!/usr/bin/env bash
# install_consumer: install the build into a temporary prefix, then build and run a small C
# program against it with find_package(asyncabi) (shared and static) and with pkg-config.
#   test.sh BUILD_DIR C_COMPILER CMAKE [PKG_CONFIG]
set -euo pipefail
build="$1" cc="$2" cmake="$3" pkgconfig="${4:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/asyncabi-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

"$cmake" --install "$build" --prefix "$prefix" --component asyncabi >/dev/null
test -f "$prefix/include/asyncabi/asyncabi.h"

echo "== find_package(asyncabi)"
"$cmake" -S "$here" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/consumer" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
LD_LIBRARY_PATH="$(dirname "$(find "$prefix" -name libasyncabi.so | head -1)")" \
  "$work/consumer/consumer_shared"
"$work/consumer/consumer_static"

echo "== pkg-config asyncabi"
if [ -z "$pkgconfig" ]; then
  echo "pkg-config not found (./asyncabi setup installs it)" >&2
  exit 1
fi
pcdir="$(dirname "$(find "$prefix" -name asyncabi.pc | head -1)")"
export PKG_CONFIG_PATH="$pcdir"
# shellcheck disable=SC2046
"$cc" "$here/main.c" -o "$work/consumer_pc" $("$pkgconfig" --cflags --libs asyncabi) \
  -Wl,-rpath,"$("$pkgconfig" --variable=libdir asyncabi)"
"$work/consumer_pc"
# shellcheck disable=SC2046
"$cc" "$here/main.c" -o "$work/consumer_pc_static" -static-libgcc \
  "$("$pkgconfig" --variable=libdir asyncabi)/libasyncabi.a" $("$pkgconfig" --cflags asyncabi) \
  $("$pkgconfig" --static --libs-only-other asyncabi)
"$work/consumer_pc_static"
echo "install_consumer: ok"
