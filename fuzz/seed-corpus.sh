#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the repository: the bundled
# programs, the schema and every test fixture for the text targets, and the
# bundled programs' compiled plans for `plan_load`. `interpret` and `render`
# take a structured input and start from nothing. The corpora are not committed
# (fuzz/.gitignore); run this once after a fresh clone, and again whenever
# programs/ or tests/fixtures/ change. Seeds are named by content, so running
# it twice adds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

seed() { # seed TARGET FILE
  local dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  cp "$2" "$dir/$(sha1sum "$2" | cut -c1-40)"
}

for target in parse check compile fmt; do
  for file in programs/*.nurture tests/fixtures/*.nurture tests/fixtures/ok/*.nurture tests/fixtures/err/*.nurture; do
    seed "$target" "$file"
  done
done

plans="$(mktemp -d)"
trap 'rm -rf "$plans"' EXIT
for program in programs/*.nurture; do
  [ "$(basename "$program")" = schema.nurture ] && continue
  plan="$plans/$(basename "$program" .nurture).json"
  cargo run --quiet --locked -- compile "$program" --output "$plan"
  seed plan_load "$plan"
done
mkdir -p fuzz/corpus/interpret fuzz/corpus/render

for target in parse check compile fmt plan_load interpret render; do
  echo "fuzz/corpus/$target: $(find "fuzz/corpus/$target" -type f | wc -l) seeds"
done
