// A realistic Markdown answer for `bench.mjs` (ANSWER=markdown): about 14,400 characters of
// headings, paragraphs, lists, numbered steps with indented code fences, TypeScript fences with
// blank lines, tables and quotes, streamed as about 1,600 OpenAI chunks of 5–8 characters (as a
// model's tokens are). `markdownFixtures()` writes it as llmchat-mock's `stream_markdown`
// scenario beside a copy of tests/fixtures and returns that directory (for
// LLMCHAT_MOCK_FIXTURES).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function markdownFixtures() {
  const topics = ['caching', 'retries', 'logging', 'configuration', 'testing', 'deployment', 'metrics', 'security', 'storage', 'queues'];
  let md = '# Building a resilient service\n\nHere is a walk-through of the main concerns, with **examples** and `code` you can adapt. Each section stands on its own, so skip what you already know.\n\n';
  topics.forEach((t, i) => {
    md += `## ${i + 1}. ${t[0].toUpperCase() + t.slice(1)}\n\n`;
    md += `When you think about ${t}, start from what the user sees. A slow or failing ${t} layer shows up as latency, errors or confusing behaviour, and the fix is rarely where the symptom appears. Keep the design *boring*: fewer moving parts, clear ownership, and measurements before changes.\n\n`;
    md += `Key points for ${t}:\n\n- Decide what "good" means and write it down\n- Measure it in production, not only in tests\n- Keep the configuration in one place, with defaults that are safe\n- Review the failure modes: timeouts, partial writes, and restarts\n\n`;
    md += `A minimal example in TypeScript:\n\n\`\`\`ts\nexport async function with${t[0].toUpperCase() + t.slice(1)}<T>(work: () => Promise<T>): Promise<T> {\n  const started = performance.now();\n  try {\n    return await work();\n  } finally {\n\n    record('${t}', performance.now() - started);\n  }\n}\n\`\`\`\n\n`;
    md += `Steps to roll it out:\n\n1. Add the wrapper behind a flag\n2. Enable it for internal users first\n\n3. Watch the dashboards for a day, then widen\n\n   \`\`\`bash\n   curl -s localhost:9090/metrics | grep ${t}\n   \`\`\`\n\n4. Remove the flag once it has been stable for a week\n\n`;
    md += `| option | default | meaning |\n|---|---|---|\n| \`${t}.enabled\` | true | turns it on |\n| \`${t}.timeout_ms\` | 500 | gives up after this long |\n| \`${t}.max\` | 100 | upper bound |\n\n`;
    md += `> **Note:** the defaults above suit a small deployment. For larger ones, measure first and change one setting at a time.\n\n`;
  });
  md += '## Summary\n\nStart small, measure, and change one thing at a time. The sections above give you a checklist; the examples are deliberately short so you can adapt them to your own stack.\n';
  const words = md.match(/\S+\s*|\s+/g);
  // Chunks of about 7-8 characters, as a model's tokens are.
  const chunks = [];
  let cur = '';
  for (const w of words) { cur += w; if (cur.length >= 5) { chunks.push(cur); cur = ''; } }
  if (cur) chunks.push(cur);
  const head = { id: 'chatcmpl-md', object: 'chat.completion.chunk', created: 1700000000, model: 'mock' };
  const ev = (delta, finish = null) => `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  let out = ': generated for the incremental Markdown benchmark\n\n' + ev({ role: 'assistant', content: '' });
  for (const c of chunks) out += ev({ content: c });
  out += ev({}, 'stop');
  out += `data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 10, completion_tokens: chunks.length, total_tokens: chunks.length + 10 } })}\n\n`;
  out += 'data: [DONE]\n\n';
  const dir = mkdtempSync(join(tmpdir(), 'llmchat-bench-fixtures-'));
  cpSync(fileURLToPath(new URL('../../tests/fixtures', import.meta.url)), dir, { recursive: true });
  writeFileSync(join(dir, 'openai', 'stream_markdown.sse'), out);
  return { dir, characters: md.length, chunks: chunks.length };
}
