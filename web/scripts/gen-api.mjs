// Generates src/api/schema.d.ts from src/api/openapi.json (written by `llmchat openapi`,
// see ../../scripts/gen-api.sh). With --check, fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = new URL('../src/api/', import.meta.url);
const input = new URL('openapi.json', root);
const output = new URL('schema.d.ts', root);

const doc = JSON.parse(await readFile(input, 'utf8'));
const header =
  '// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.\n' +
  '// Regenerate both with ../../scripts/gen-api.sh after changing the API.\n\n';
const generated = header + astToString(await openapiTS(doc, { alphabetize: true }));

if (process.argv.includes('--check')) {
  const committed = await readFile(output, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error(
      `${fileURLToPath(output)} is stale: run \`npm run gen:api\` in web/ (or ./scripts/gen-api.sh)`,
    );
    process.exit(1);
  }
  console.log('schema.d.ts is up to date');
} else {
  await writeFile(output, generated);
  console.log(`wrote ${fileURLToPath(output)}`);
}
