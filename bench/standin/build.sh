#!/bin/sh
# Builds the stand-in single-user server: bench/standin/build.sh [OUTPUT] (default: bench/standin/standin).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/standin"}
${CC:-gcc} -O2 -Wall -Wextra -o "$out" "$here/standin.c"
echo "$out"
