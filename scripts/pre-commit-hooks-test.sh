#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit tool: a temporary
# git repository of programs uses this repository (a local clone, at HEAD)
# as its hook repository, as a programs repository would use the published
# one. Needs no network: pre-commit clones the local path, and the hooks run
# the `nurture` on PATH (the release build).
#
#   scripts/pre-commit-hooks-test.sh [PATH/TO/nurture]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
nurture="${1:-$repo/target/release/nurture}"
nurture="$(cd "$(dirname "$nurture")" && pwd)/$(basename "$nurture")"
[ -x "$nurture" ] || { echo "pre-commit hooks: no nurture at $nurture" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
export PATH="$(dirname "$nurture"):$PATH"
fail() { echo "pre-commit hooks: $*" >&2; exit 1; }

cd "$work"
git init -q programs && cd programs
git config user.email "ci@example.com" && git config user.name "ci"
cat > schema.nurture <<'NURTURE'
schema {
  event signup
  channel email
}
NURTURE
cat > welcome.nurture <<'NURTURE'
program welcome {
  kind welcome
     owner "crm@example.com"
  trigger event signup
  consent email
  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
NURTURE
cat > broken.nurture <<'NURTURE'
program broken {
  kind    welcome
  owner   "crm@example.com"
  trigger event signup
  consent email

  step hello {
    send email "welcome-1"
    -> ofer
  }
}
NURTURE
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $(git -C "$repo" rev-parse HEAD)
    hooks:
      - id: nurture-check
      - id: nurture-fmt
YAML
git add -A

# The misspelled step fails the check; the untidy program is formatted.
if pre-commit run --all-files > "$work/first.log" 2>&1; then
  cat "$work/first.log"; fail "a program with an error passed"
fi
grep -q "nurture check.*Failed" "$work/first.log" || { cat "$work/first.log"; fail "nurture check did not fail"; }
grep -q "there is no step \`ofer\`" "$work/first.log" || { cat "$work/first.log"; fail "the check's finding is not shown"; }
grep -q "nurture fmt.*Failed" "$work/first.log" || { cat "$work/first.log"; fail "nurture fmt changed nothing"; }
grep -q '^  owner   "crm@example.com"$' welcome.nurture || fail "welcome.nurture was not formatted"

# Fixed and formatted: both hooks pass.
sed -i 's/-> ofer/exit welcomed/' broken.nurture
git add -A
pre-commit run --all-files > "$work/second.log" 2>&1 || { cat "$work/second.log"; fail "the hooks failed on clean programs"; }
grep -q "nurture check.*Passed" "$work/second.log" || { cat "$work/second.log"; fail "nurture check did not pass"; }
grep -q "nurture fmt.*Passed" "$work/second.log" || { cat "$work/second.log"; fail "nurture fmt did not pass"; }
echo "pre-commit hooks: nurture-check and nurture-fmt work"
