#!/usr/bin/env bash
# The scan step of the kvscan GitHub Action (action.yml). It reads the action's inputs from
# INPUT_* environment variables, runs one `kvscan scan`, writes the job summary to
# $GITHUB_STEP_SUMMARY and the step outputs to $GITHUB_OUTPUT, and exits with kvscan's exit code
# (0 pass, 1 findings at or above fail-on, 2 usage or input error, 3 incomplete scan), so that a
# later step can upload the SARIF with `if: always()` before the job fails.
#
# tests/action_local.rs runs this same script with a fake GITHUB_* environment.
# Portable to bash 3.2 (macOS): no ${x,,}, no mapfile, no associative arrays.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail_input() {
  # An input the action cannot use: the same exit code as a kvscan usage error.
  echo "::error title=kvscan action::$*"
  write_output exit-code 2
  write_output result error
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '### kvscan\n\n❌ **Input error**: %s\n' "$*" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit 2
}

write_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf 'output %s=%s\n' "$1" "$2"
  fi
}

lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

# parse_bool VAR VALUE INPUT: sets VAR to true or false; anything else is an input error.
# (Not a function whose output is captured: fail_input must exit the script, not a subshell.)
parse_bool() {
  case "$(lower "$2")" in
    true | yes | on | 1) printf -v "$1" true ;;
    false | no | off | 0 | '') printf -v "$1" false ;;
    *) fail_input "input '$3' must be true or false, not '$2'" ;;
  esac
}

# Items of a list input separated by commas, blanks or newlines (ids never contain any of them).
split_words() { printf '%s\n' "$1" | tr -s ', \t\r' '\n' | sed '/^$/d'; }

# One item a line, surrounding blanks trimmed (paths may contain blanks).
split_lines() { printf '%s\n' "$1" | tr -d '\r' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'; }

command -v jq >/dev/null 2>&1 || fail_input "jq is required (it is on every GitHub-hosted runner); install it on this runner"
command -v kvscan >/dev/null 2>&1 || fail_input "kvscan is not on PATH (the install step of the action puts it there)"

live=false annotations=true upload_sarif=true
parse_bool live "${INPUT_LIVE:-false}" live
parse_bool annotations "${INPUT_ANNOTATIONS:-true}" annotations
parse_bool upload_sarif "${INPUT_UPLOAD_SARIF:-true}" upload-sarif
fail_on="$(lower "${INPUT_FAIL_ON:-}")"
case "$fail_on" in
  '' | low | medium | high | critical | none) ;;
  *) fail_input "input 'fail-on' must be low, medium, high, critical or none, not '${INPUT_FAIL_ON:-}'" ;;
esac
top="${INPUT_TOP_FINDINGS:-10}"
case "$top" in
  '' | *[!0-9]*) fail_input "input 'top-findings' must be a whole number, not '$top'" ;;
esac

out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/kvscan"
mkdir -p "$out_dir"
sarif="${INPUT_SARIF_FILE:-$out_dir/kvscan.sarif}"
json="${INPUT_JSON_FILE:-$out_dir/kvscan.json}"
junit="${INPUT_JUNIT_FILE:-}"
inventory="${INPUT_INVENTORY_FILE:-}"
stderr_log="$out_dir/kvscan-stderr.log"

args=(scan)
if [ "$live" = true ]; then
  args+=(--live)
  while IFS= read -r id; do args+=(--subscription "$id"); done < <(split_words "${INPUT_SUBSCRIPTIONS:-}")
  while IFS= read -r id; do args+=(--management-group "$id"); done < <(split_words "${INPUT_MANAGEMENT_GROUPS:-}")
  [ -z "${INPUT_CLOUD:-}" ] || args+=(--cloud "$INPUT_CLOUD")
  [ -z "${INPUT_AUTH:-}" ] || args+=(--auth "$INPUT_AUTH")
  [ -z "$inventory" ] || args+=(--save-inventory "$inventory")
  # The GitHub OIDC credential needs the job's id-token permission and the app's ids.
  if [ -n "${AZURE_CLIENT_ID:-}" ] && [ -z "${AZURE_TENANT_ID:-}" ]; then
    echo "::warning title=kvscan action::AZURE_CLIENT_ID is set but AZURE_TENANT_ID is not: GitHub OIDC sign-in needs both"
  fi
  if [ -n "${AZURE_CLIENT_ID:-}" ] && [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
    echo "::warning title=kvscan action::this job cannot request a GitHub OIDC token: add 'permissions: id-token: write' to the job (kvscan falls back to the other credentials it knows)"
  fi
else
  for name in subscriptions management-groups cloud auth inventory-file; do
    var="INPUT_$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')"
    if [ -n "${!var:-}" ]; then fail_input "input '$name' applies to live scans only: set 'live: true'"; fi
  done
  count=0
  while IFS= read -r p; do
    args+=("$p")
    count=$((count + 1))
  done < <(split_lines "${INPUT_PATH:-.}")
  [ "$count" -gt 0 ] || fail_input "input 'path' is empty"
fi
if [ "$annotations" = true ]; then args+=(--format github); else args+=(--format text --color never); fi
args+=(--sarif "$sarif" --json "$json")
[ -z "$junit" ] || args+=(--junit "$junit")
[ -z "$fail_on" ] || args+=(--fail-on "$fail_on")
[ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
if [ -n "${INPUT_ARGS:-}" ]; then
  # Split on blanks and newlines; read returns 1 at the end of the text.
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
  args+=(${extra[@]+"${extra[@]}"})
fi

# Outputs of an earlier run must not pass for this one's (a stale SARIF would be uploaded).
for file in "$sarif" "$json" "$junit" "$inventory"; do
  if [ -n "$file" ]; then
    rm -f "$file"
    mkdir -p "$(dirname "$file")"
  fi
done

echo "kvscan ${args[*]}"
# stdout (annotations or text) goes straight to the log; stderr is shown as it comes and kept for
# the summary.
exec 3>&1
set +e
kvscan "${args[@]}" 2>&1 1>&3 3>&- | tee "$stderr_log" >&2
code=${PIPESTATUS[0]}
set -e
exec 3>&-

report_ok=false
if [ -s "$json" ] && jq -e '.schemaVersion' "$json" >/dev/null 2>&1; then report_ok=true; fi

kind="$(if [ "$report_ok" = true ]; then jq -r '.scan.kind // empty' "$json"; fi)"
[ -n "$kind" ] || kind="$(if [ "$live" = true ]; then echo live; else echo iac; fi)"

# Code scanning keeps one set of alerts per category. kvscan writes `kvscan/<kind>/` as the
# SARIF automationDetails.id and upload-sarif never replaces an id that is present, so a custom
# category is written into the file itself.
category=""
if [ -s "$sarif" ]; then
  if [ -n "${INPUT_CATEGORY:-}" ]; then
    category="${INPUT_CATEGORY%/}"
    jq --arg id "$category/" '.runs |= map(.automationDetails.id = $id)' "$sarif" >"$sarif.tmp"
    mv "$sarif.tmp" "$sarif"
  else
    category="$(jq -r '.runs[0].automationDetails.id // empty' "$sarif")"
    category="${category%/}"
    [ -n "$category" ] || category="kvscan/$kind"
  fi
fi

result=error
findings=0
failing=0
if [ "$report_ok" = true ]; then
  result="$(jq -r '.scan.result' "$json")"
  findings="$(jq '[.findings[] | select(.status == "open")] | length' "$json")"
  failing="$(jq '.summary.failing' "$json")"
fi
case "$code" in 0 | 1 | 3) ;; *) result=error ;; esac

write_output exit-code "$code"
write_output result "$result"
write_output findings "$findings"
write_output failing "$failing"
write_output kind "$kind"
write_output category "$category"
write_output sarif-file "$(if [ -s "$sarif" ]; then echo "$sarif"; fi)"
write_output json-file "$(if [ "$report_ok" = true ]; then echo "$json"; fi)"
write_output junit-file "$(if [ -n "$junit" ] && [ -s "$junit" ]; then echo "$junit"; fi)"
write_output inventory-file "$(if [ -n "$inventory" ] && [ -s "$inventory" ]; then echo "$inventory"; fi)"

# The job summary.
server="${GITHUB_SERVER_URL:-https://github.com}"
repo="${GITHUB_REPOSITORY:-}"
pr=""
case "${GITHUB_REF:-}" in refs/pull/*/merge) pr="${GITHUB_REF#refs/pull/}" && pr="${pr%/merge}" ;; esac
report_file="$out_dir/no-report.json"
: >"$report_file"
[ "$report_ok" = false ] || report_file="$json"
summary="$(
  jq -n -r --slurpfile reports "$report_file" \
    --argjson code "$code" \
    --arg kind "$kind" \
    --arg live "$live" \
    --arg sarif "$(if [ -s "$sarif" ]; then echo "$sarif"; fi)" \
    --arg category "$category" \
    --arg uploaded "$upload_sarif" \
    --arg server "$server" \
    --arg repo "$repo" \
    --arg sha "${GITHUB_SHA:-}" \
    --arg pr "$pr" \
    --argjson top "$top" \
    --rawfile stderr "$stderr_log" \
    -f "$here/summary.jq"
)"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  printf '%s\n' "$summary" >>"$GITHUB_STEP_SUMMARY"
fi

exit "$code"
