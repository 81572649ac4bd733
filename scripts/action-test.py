#!/usr/bin/env python3
"""Runs the check step of action.yml as GitHub Actions would, without
GitHub: the step's script with its environment worked out from test
inputs, in a temporary folder of programs, with GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY as files. Checks the annotations, the SARIF file, the
summary with the proved facts, the layout check and the exit codes.

    scripts/action-test.py [PATH/TO/nurture]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml  # comes with pre-commit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NURTURE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "target/release/nurture"))

SCHEMA = "schema {\n  event signup\n  event purchase\n  channel email\n}\n"
CLEAN = """program welcome {
  kind    welcome
  owner   "crm@example.com"

  trigger event signup
  consent email

  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
"""
BROKEN = CLEAN.replace("program welcome", "program broken").replace("exit welcomed", "-> ofer")


def step():
    with open(os.path.join(REPO, "action.yml")) as f:
        action = yaml.safe_load(f)
    assert action["runs"]["using"] == "composite"
    return next(s for s in action["runs"]["steps"] if s.get("id") == "check"), action["inputs"]


def run(folder, given):
    check, declared = step()
    inputs = {name: spec.get("default", "") for name, spec in declared.items()}
    inputs.update(given)
    env = dict(os.environ)
    for name, value in check["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
        env[name] = inputs[match.group(1)] if match else NURTURE
    env["GITHUB_OUTPUT"] = os.path.join(folder, "output.txt")
    env["GITHUB_STEP_SUMMARY"] = os.path.join(folder, "summary.md")
    for name in ("output.txt", "summary.md"):
        open(os.path.join(folder, name), "w").close()
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", check["run"]],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )
    read = lambda name: open(os.path.join(folder, name)).read()
    return done, read("output.txt"), read("summary.md")


def cache_key(action_path):
    """The key the action caches its build under, worked out by its own step."""
    with open(os.path.join(REPO, "action.yml")) as f:
        steps = yaml.safe_load(f)["runs"]["steps"]
    key = next(s for s in steps if s.get("id") == "key")
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "output.txt")
        env = dict(os.environ, GITHUB_ACTION_PATH=action_path, GITHUB_OUTPUT=output,
                   RUNNER_OS="Linux", RUNNER_ARCH="X64")
        subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", key["run"]],
                       env=env, check=True, timeout=60)
        return open(output).read().strip().removeprefix("key=")


def check_cache(steps):
    """The build is cached on the runner's temporary folder it is installed
    into, under a key that changes with the sources, and not built again
    on a hit."""
    by_id = {s.get("id"): s for s in steps}
    cache = by_id["cache"]
    assert cache["uses"].startswith("actions/cache@"), cache
    assert cache["with"]["path"] == "${{ runner.temp }}/nurture", cache
    assert cache["with"]["key"] == "${{ steps.key.outputs.key }}", cache
    install = next(s for s in steps if s.get("name") == "Install nurture")
    assert '--root "$RUNNER_TEMP/nurture"' in install["run"], install
    assert "steps.cache.outputs.cache-hit != 'true'" in install["if"], install

    key = cache_key(REPO)
    assert re.fullmatch(r"nurture-Linux-X64-\d+\.\d+\.\d+\S*-[0-9a-f]{16}", key), key
    assert cache_key(REPO) == key
    with tempfile.TemporaryDirectory() as copy:
        for name in ("Cargo.toml", "Cargo.lock", "src", "grammar", "programs", "docs"):
            source = os.path.join(REPO, name)
            target = os.path.join(copy, name)
            subprocess.run(["cp", "-r", source, target], check=True)
        assert cache_key(copy) == key
        with open(os.path.join(copy, "src", "lib.rs"), "a") as f:
            f.write("\n")
        assert cache_key(copy) != key


def main():
    with open(os.path.join(REPO, "action.yml")) as f:
        check_cache(yaml.safe_load(f)["runs"]["steps"])
    with tempfile.TemporaryDirectory() as folder:
        programs = os.path.join(folder, "programs")
        os.mkdir(programs)
        files = {"schema.nurture": SCHEMA, "welcome.nurture": CLEAN, "broken.nurture": BROKEN}
        for name, text in files.items():
            with open(os.path.join(programs, name), "w") as f:
                f.write(text)

        done, output, summary = run(folder, {"paths": "programs", "sarif": "nurture.sarif"})
        assert done.returncode == 1, done
        assert "::error file=programs/broken.nurture" in done.stdout, done.stdout
        assert output.strip() == "sarif=nurture.sarif", output
        with open(os.path.join(folder, "nurture.sarif")) as f:
            sarif = json.load(f)
        assert sarif["version"] == "2.1.0"
        assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["N301"], sarif
        assert "## nurture check" in summary and "program `welcome`" in summary, summary
        assert "messages  at most 1 (email 1)" in summary, summary

        os.remove(os.path.join(programs, "broken.nurture"))
        done, output, summary = run(folder, {"paths": "programs", "fmt-check": "true"})
        assert done.returncode == 0, done
        assert output == "", output

        with open(os.path.join(programs, "welcome.nurture"), "w") as f:
            f.write(CLEAN.replace("  kind    welcome", "kind welcome"))
        done, _, _ = run(folder, {"paths": "programs", "fmt-check": "true", "summary": "false"})
        assert done.returncode == 1, done
        assert "+  kind    welcome" in done.stdout + done.stderr, done
    print("action.yml: the cached build, check, SARIF, summary and fmt --check work")


if __name__ == "__main__":
    main()
