#!/usr/bin/env python3
"""Checks action.yml, the composite action's metadata, which actionlint does not lint itself.

1. Structure: name, description, `runs.using: composite`, steps; every input and output
   described; `shell` on every `run` step; unique step ids; third-party actions pinned.
2. References: every `inputs.X` in an expression is declared, and every input is used; every
   `steps.ID.outputs.NAME` names an earlier step, and for the steps that run scripts/action/*.sh,
   an output the script writes (`write_output NAME`); every INPUT_* variable a script reads is set
   in its step's env, and every env entry of a script step is read by the script.
3. Workflows in .github/workflows that use the action (`uses: ./` or `kvscan/kvscan@REF`) pass
   declared inputs only (the check actionlint makes for local actions, which its WebAssembly build
   cannot make, and cannot make at all for the published name).
4. With --workflow-out FILE: writes the composite steps as a reusable workflow (workflow_call
   inputs with the action's input names), so that actionlint checks the steps' expressions,
   action inputs and contexts like a workflow's.

Usage: python3 .ci/check_action.py [--workflow-out FILE]   (exit 1 on any problem)
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
INPUT_REF = re.compile(r"\binputs\.([A-Za-z0-9_-]+)")
STEP_OUTPUT_REF = re.compile(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")
SCRIPT_REF = re.compile(r"scripts/action/([A-Za-z0-9_.-]+\.sh)")
# This action: used locally (`uses: ./`) or by name in the example workflows.
THIS_ACTION = re.compile(r"^(\./?|\.|kvscan/kvscan@\S+)$")
PINNED = re.compile(r"^[^@\s]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")

problems = []


def problem(message):
    problems.append(message)


def expressions(value):
    """Every ${{ }} expression inside a YAML value (strings, lists, mappings, keys too)."""
    if isinstance(value, str):
        yield from EXPR.findall(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from expressions(key)
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)


def step_condition(step):
    # `if:` may be written without ${{ }}: the whole value is an expression.
    cond = step.get("if")
    return [cond] if isinstance(cond, str) and "${{" not in cond else []


def main():
    workflow_out = None
    if len(sys.argv) == 3 and sys.argv[1] == "--workflow-out":
        workflow_out = Path(sys.argv[2])
    elif len(sys.argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2

    try:
        action = yaml.safe_load(ACTION.read_text())
    except yaml.YAMLError as err:
        print(f"action.yml: not valid YAML: {err}")
        return 1

    for key in ("name", "description", "runs"):
        if not action.get(key):
            problem(f"action.yml: missing '{key}'")
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        problem(f"action.yml: runs.using is {runs.get('using')!r}, expected 'composite'")
    steps = runs.get("steps") or []
    if not steps:
        problem("action.yml: runs.steps is empty")

    inputs = action.get("inputs") or {}
    for name, spec in inputs.items():
        if not isinstance(spec, dict) or not spec.get("description"):
            problem(f"action.yml: input '{name}' has no description")
        elif "default" in spec and not isinstance(spec["default"], str):
            problem(f"action.yml: input '{name}' default {spec['default']!r} is not a string: quote it")
    outputs = action.get("outputs") or {}
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or not spec.get("description") or not spec.get("value"):
            problem(f"action.yml: output '{name}' needs a description and a value")

    # Which step ids exist, and which outputs each script step writes.
    ids = []
    written = {}
    script_vars = {}  # script -> [INPUT_* it reads, env set by the steps that run it]
    for index, step in enumerate(steps):
        label = f"action.yml: step {index + 1} ({step.get('name') or step.get('id') or step.get('uses')})"
        if "run" in step and "shell" not in step:
            problem(f"{label}: a composite 'run' step needs 'shell'")
        if "run" in step and "uses" in step:
            problem(f"{label}: has both 'run' and 'uses'")
        uses = step.get("uses")
        if uses and not uses.startswith("./") and not PINNED.match(uses):
            problem(f"{label}: '{uses}' is not pinned to a major version or a commit")
        if "id" in step:
            if step["id"] in ids:
                problem(f"{label}: duplicate step id '{step['id']}'")
            ids.append(step["id"])
        run = step.get("run", "")
        scripts = SCRIPT_REF.findall(run)
        for script in scripts:
            path = ROOT / "scripts" / "action" / script
            if not path.is_file():
                problem(f"{label}: runs scripts/action/{script}, which does not exist")
                continue
            text = path.read_text()
            if "id" in step:
                written.setdefault(step["id"], set()).update(re.findall(r"write_output ([a-z][a-z0-9-]*)", text))
            env = step.get("env") or {}
            read_vars = set(re.findall(r"\b(INPUT_[A-Z0-9_]+)", text))
            # INPUT_<NAME> built from a list of input names (run.sh's live-only check).
            for names in re.findall(r"for name in ([a-z0-9 -]+); do", text):
                read_vars.update("INPUT_" + n.upper().replace("-", "_") for n in names.split())
            other_vars = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text + run))
            script_vars.setdefault(script, [read_vars, set()])[1].update(env)
            for var in sorted(set(env)):
                if var not in read_vars and var not in other_vars:
                    problem(f"{label}: env {var} is not read by scripts/action/{script}")

        # References inside this step (and the step's if:) must point backwards.
        for expr in list(expressions(step)) + step_condition(step):
            for step_id, output in STEP_OUTPUT_REF.findall(expr):
                if step_id not in ids or step_id == step.get("id"):
                    problem(f"{label}: refers to steps.{step_id}, which is not an earlier step")
                elif step_id in written and output not in written[step_id]:
                    problem(f"{label}: steps.{step_id}.outputs.{output} is never written by its script")

    # A script called by several steps (install.sh resolve / install) gets each of its inputs
    # from at least one of them.
    for script, (read_vars, env) in sorted(script_vars.items()):
        for var in sorted(read_vars - env):
            problem(f"action.yml: scripts/action/{script} reads {var}, which no step running it sets")

    used_inputs = set()
    for expr in list(expressions(action)) + [c for s in steps for c in step_condition(s)]:
        used_inputs.update(INPUT_REF.findall(expr))
    for name in sorted(used_inputs - set(inputs)):
        problem(f"action.yml: 'inputs.{name}' is used but not declared")
    for name in sorted(set(inputs) - used_inputs):
        problem(f"action.yml: input '{name}' is declared but never used")
    for name, spec in outputs.items():
        for expr in expressions(spec.get("value", "")):
            for step_id, output in STEP_OUTPUT_REF.findall(expr):
                if step_id not in ids:
                    problem(f"action.yml: output '{name}' refers to unknown step '{step_id}'")
                elif step_id in written and output not in written[step_id]:
                    problem(f"action.yml: output '{name}' reads steps.{step_id}.outputs.{output}, never written")

    # Workflows that use this action locally.
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    uses_of_action = 0
    for workflow in workflows:
        try:
            doc = yaml.safe_load(workflow.read_text())
        except yaml.YAMLError as err:
            problem(f"{workflow.relative_to(ROOT)}: not valid YAML: {err}")
            continue
        for job_name, job in (doc.get("jobs") or {}).items():
            for index, step in enumerate(job.get("steps") or []):
                if not THIS_ACTION.match(step.get("uses") or ""):
                    continue
                uses_of_action += 1
                for key in step.get("with") or {}:
                    if key not in inputs:
                        problem(
                            f"{workflow.relative_to(ROOT)}: job {job_name}, step {index + 1}: "
                            f"input '{key}' is not an input of action.yml"
                        )
                for name, spec in inputs.items():
                    if spec.get("required") and "default" not in spec and name not in (step.get("with") or {}):
                        problem(f"{workflow.relative_to(ROOT)}: job {job_name}: required input '{name}' missing")

    if workflow_out is not None:
        workflow = {
            "name": "action.yml composite steps (generated by .ci/check_action.py for actionlint)",
            "on": {
                "workflow_call": {
                    "inputs": {
                        name: {"type": "string", "required": False, "description": spec.get("description", "")}
                        for name, spec in inputs.items()
                    }
                }
            },
            "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
        }
        workflow_out.write_text(yaml.safe_dump(workflow, sort_keys=False, width=1000))

    for message in problems:
        print(message)
    print(f"check_action: action.yml ({len(inputs)} inputs, {len(outputs)} outputs, {len(steps)} steps), "
          f"{len(workflows)} workflow(s) with {uses_of_action} use(s) of the action: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
