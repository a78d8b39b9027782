// Generates src/api/schema.d.ts (the types) and src/api/events.gen.ts (the chat stream's event
// names, a value the UI needs at run time) from src/api/openapi.json (written by `llmchat
// openapi`, see ../../scripts/gen-api.sh). With --check, fails when a committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = new URL('../src/api/', import.meta.url);
const input = new URL('openapi.json', root);
const output = new URL('schema.d.ts', root);
const eventsOutput = new URL('events.gen.ts', root);

const doc = JSON.parse(await readFile(input, 'utf8'));
const header =
  '// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.\n' +
  '// Regenerate both with ../../scripts/gen-api.sh after changing the API.\n\n';
const generated = header + astToString(await openapiTS(doc, { alphabetize: true }));

const names = doc.components?.schemas?.ChatEventName?.enum;
if (!Array.isArray(names) || names.length === 0) {
  console.error('openapi.json has no ChatEventName enum: the chat stream\'s event names are unknown');
  process.exit(1);
}
const events =
  header +
  "/** The `event:` names of a turn's stream (`ChatEventName` in the API document). */\n" +
  `export const CHAT_EVENT_NAMES = ${JSON.stringify(names)} as const;\n`;

const files = [
  [output, generated],
  [eventsOutput, events],
];
if (process.argv.includes('--check')) {
  for (const [file, text] of files) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error(`${fileURLToPath(file)} is stale: run \`npm run gen:api\` in web/ (or ./scripts/gen-api.sh)`);
      process.exit(1);
    }
  }
  console.log('schema.d.ts and events.gen.ts are up to date');
} else {
  for (const [file, text] of files) {
    await writeFile(file, text);
    console.log(`wrote ${fileURLToPath(file)}`);
  }
}
