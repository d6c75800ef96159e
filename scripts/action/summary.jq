# The job summary of the kvscan GitHub Action: Markdown built from kvscan's JSON report
# (docs/output.md). Called by run.sh with `jq -n -r --slurpfile reports REPORT ...`; $reports is
# empty when kvscan wrote no report (exit code 2).
#
# Every value that comes from Azure (vault, principal and object names in messages) is escaped:
# the summary is rendered as Markdown with HTML, and a display name is attacker-controllable.

def html: tostring | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;");
def md: html | gsub("(?<c>[\\\\`*_\\[\\]|#~])"; "\\\(.c)") | gsub("[\r\n]+"; " ");
def rank: {"critical": 4, "high": 3, "medium": 2, "low": 1}[.] // 0;
def plural($n; $word): "\($n) \($word)\(if $n == 1 then "" else "s" end)";
def kind_label:
  {"live": "live tenant scan", "iac": "infrastructure-as-code scan", "inventory": "inventory scan"}[.]
  // "scan";

($reports | first) as $r
| ($r != null) as $have
| (if $have then $r.findings else [] end) as $findings
| ($findings | map(select(.status == "open"))) as $open
| (if $have then $r.scan.failOn else null end) as $fail_on
| [
    "### kvscan: \($kind | kind_label)",
    "",
    (if $code == 0 then
       "✅ **Passed**" + (if $fail_on == "none" then " (the gate is off: `fail-on: none`)" else "" end)
     elif $code == 1 then
       "❌ **Failed**: \(plural($r.summary.failing; "finding")) at or above `\($fail_on)`"
     elif $code == 3 then
       "⚠️ **Incomplete**: parts of the estate could not be read; the findings cover what was"
     elif $code == 2 then
       "❌ **Error**: kvscan scanned nothing (exit code 2: usage error or invalid input)"
     else
       "❌ **Error**: kvscan exited with code \($code)"
     end),
    "",
    (if $have then
       ([ plural($r.scan.vaults; "vault"),
          plural($r.scan.rules | length; "rule"),
          "fail-on `\($fail_on)`",
          "kvscan \($r.tool.version | md)",
          "exit code \($code)" ] | join(" · ")),
       "",
       # Unknown: template values that cannot be known before deployment (a column only when
       # there are some).
       ($findings | any(.status == "unknown")) as $unknowns
       | ([["open", "Open"]] + (if $unknowns then [["unknown", "Unknown"]] else [] end)
          + [["exempted", "Exempted"], ["existing", "Baseline"]]) as $columns
       | "| Severity | \($columns | map(.[1]) | join(" | ")) |",
         "|---|\($columns | map("---:") | join("|"))|",
         (["critical", "high", "medium", "low"][] as $s
          | ($findings | map(select(.severity == $s))) as $f
          | "| \($s) | \($columns | map(.[0] as $st | $f | map(select(.status == $st)) | length | tostring) | join(" | ")) |"),
         "| **total** | \($columns | map(.[0] as $st | $findings | map(select(.status == $st)) | length | tostring)
                         | .[0] |= "**\(.)**" | join(" | ")) |",
         "",
         (if $unknowns then
            "Unknown: \(plural($findings | map(select(.status == "unknown")) | length; "finding")) on values that cannot be known before deployment (parameters without a value, `reference()`); they do not fail the gate unless `--unknown-as-failure` is passed in `args`.\n"
          else empty end)
     else empty end),
    (if $have and ($r.errors | length) > 0 then
       "**Not scanned** (\(plural($r.errors | length; "scope"))):",
       "",
       ($r.errors[:20][] | "- `\(.scope | html)`: \(.message | md)"),
       (if ($r.errors | length) > 20 then "- … and \(($r.errors | length) - 20) more (see the JSON report)" else empty end),
       ""
     else empty end),
    (if ($open | length) > 0 and $top > 0 then
       "#### Top findings",
       "",
       "| Severity | Rule | Vault | Finding | Location |",
       "|---|---|---|---|---|",
       ($open
        | sort_by([-(.severity | rank), .ruleId, .resource])
        | .[:$top][]
        | (.location.file // "") as $file
        | "| \(.severity) | \(.ruleId | md) | \(if .vault == "" then "(tenant)" else (.vault | split("/") | last | md) end) | \(.message | md) | \(
            if $file == "" then "—"
            elif $repo != "" and $sha != "" and ($file | test("^(azure/|/)") | not) then
              "[\($file | md):\(.location.line)](\($server)/\($repo)/blob/\($sha)/\($file | @uri | gsub("%2F"; "/"))#L\(.location.line))"
            else "`\($file | html):\(.location.line)`" end) |"),
       "",
       (if ($open | length) > $top then "Showing \($top) of \(plural($open | length; "open finding")), most severe first; the SARIF and JSON reports have all of them.\n" else empty end)
     else empty end),
    (if $sarif != "" then
       "SARIF: `\($sarif | html)`"
       + (if $uploaded == "true" and $repo != "" then
            " — for code scanning, category `\($category | html)`: [open alerts](\($server)/\($repo)/security/code-scanning?query=\("is:open tool:kvscan" + (if $pr != "" then " pr:\($pr)" else "" end) | @uri))"
          else "" end)
     else empty end),
    (if $have | not then
       "",
       "<details open><summary>kvscan's messages</summary>",
       "",
       "<pre>\($stderr | split("\n") | .[-30:] | join("\n") | html)</pre>",
       "</details>"
     else empty end)
  ]
| join("\n")
