// Measures the web UI in Chromium against the real binary: opening a conversation of 1,000
// messages, and streaming a 2,000-chunk answer (llmchat-mock's synthetic stream).
//   node e2e/bench.mjs            (LLMCHAT_E2E_BINARY / LLMCHAT_MOCK_BINARY as for the e2e tests)
import { startBrowser, startMock, startServer } from './harness.mjs';

const PASSWORD = 'a long enough passphrase';
const RUNS = Number(process.env.RUNS ?? 5);

const mock = await startMock();
const server = await startServer({
  agents: `agents:
  - id: demo
    name: Demo
    description: Instant demo replies.
    provider: { type: demo, chars_per_second: 1000000 }
  - id: long
    name: Long answers
    description: 2,000 chunks from llmchat-mock.
    provider:
      type: openai
      base_url: ${mock.url}/k/chunks=2000/openai/v1
      api_key: bench
      model: bench
`,
});

async function api(path, token, body) {
  const response = await fetch(`${server.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const { access_token: token } = await api('/api/auth/register', null, { username: 'bench', password: PASSWORD });
  const long = await api('/api/conversations', token, { agent_id: 'demo', title: 'A thousand messages' });
  for (let i = 0; i < 500; i++) {
    await api(`/api/conversations/${long.id}/messages`, token, { content: `Question number ${i}`, stream: false });
  }
  const { items } = await api(`/api/conversations/${long.id}/messages`, token);
  console.log(`conversation with ${items.length} messages`);

  const browser = await startBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/login`);
  await page.getByTestId('login-username').fill('bench');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('new-chat-screen').waitFor();

  const open = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('key-name').waitFor();
    const started = Date.now();
    // A click in the app, as a user opens it: no page load in the measure.
    await page.getByTestId('conversation-item').first().click();
    await page.locator('[data-testid=message-assistant]').last().locator('table').waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    open.push(Date.now() - started);
  }
  console.log(`open 1,000 messages: median ${median(open)} ms (runs: ${open.join(', ')})`);
  const inPage = await page.locator('[data-testid=message-user], [data-testid=message-assistant]').count();
  console.log(`messages in the page after opening: ${inPage} of ${items.length}`);

  const stream = [];
  for (let run = 0; run < RUNS; run++) {
    await page.getByTestId('new-chat').click();
    await page.getByTestId('agent-picker').click();
    await page.locator('[data-testid=agent-option][data-agent=long]').click();
    await page.getByTestId('composer-input').fill(`Write a long answer ${run}`);
    const started = Date.now();
    await page.getByTestId('composer-input').press('Enter');
    await page.locator('[data-testid=message-assistant][data-status=complete]').waitFor({ timeout: 60_000 });
    stream.push(Date.now() - started);
  }
  const chars = await page.locator('[data-testid=message-assistant] .markdown').last().textContent();
  console.log(`stream 2,000 chunks (${chars.length} characters): median ${median(stream)} ms (runs: ${stream.join(', ')})`);

  // The same answer read by a plain client, for the UI's share of the time.
  const bare = [];
  for (let run = 0; run < RUNS; run++) {
    const c = await api('/api/conversations', token, { agent_id: 'long' });
    const started = Date.now();
    const response = await fetch(`${server.url}/api/conversations/${c.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ content: 'Write a long answer' }),
    });
    await response.text();
    bare.push(Date.now() - started);
  }
  console.log(`same stream read by fetch without the UI: median ${median(bare)} ms`);
  await browser.close();
} finally {
  await server.stop();
  mock.stop();
}
