#!/bin/sh
# A folder of 10,011 files (10,010 programs and their schema) for timing
# `nurture check` as a whole process (README, "Speed"): the bundled programs
# copied COPIES times (715 by default), each copy in a folder of its own
# (c1/ … c715/), and the bundled schema at the top.
#
#   benches/check_files.sh /tmp/chk
#   /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB" \
#       nurture check --schema /tmp/chk/schema.nurture /tmp/chk > /dev/null
#
# `--schema` because a program outside the current folder is checked
# against the schema.nurture of its own folder only (docs/language.md,
# "Where the schema comes from"); `cd /tmp/chk && nurture check .` finds it
# without.
set -eu
dir=${1:?usage: benches/check_files.sh DIR [COPIES]}
copies=${2:-715}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
cp "$here/programs/schema.nurture" "$dir/"
i=1
while [ "$i" -le "$copies" ]; do
    mkdir -p "$dir/c$i"
    for file in "$here"/programs/*.nurture; do
        [ "$(basename "$file")" = schema.nurture ] || cp "$file" "$dir/c$i/"
    done
    i=$((i + 1))
done
