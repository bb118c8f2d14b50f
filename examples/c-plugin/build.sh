#!/bin/sh
# Builds the example C plugin into examples/c-plugin/build/ (never loaded by default).
# Usage: examples/c-plugin/build.sh [CC]   — then: check plugins --plugins examples/c-plugin/build
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cc=${1:-${CC:-cc}}
mkdir -p "$here/build"
"$cc" -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -I "$here/../../Sources/CCheckABI/include" \
    -o "$here/build/libcheck-plugin-investor-shares.so" "$here/investor_shares.c"
echo "$here/build/libcheck-plugin-investor-shares.so"
