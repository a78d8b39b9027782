// End-to-end across replicas: three servers on one PostgreSQL database and one Redis, behind
// a proxy of the test's own that sends everything to replica A except the UI's reattaching
// stream, which it sends to replica B first and to C after. The page reloads mid-answer (the
// UI then follows the answer through B, which reads A's turn from Redis), B is killed with
// SIGKILL, and the UI reconnects by itself — "Reconnecting…" — with Last-Event-ID through C:
// the answer completes in the page, whole and without repeats.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startServer } from './harness.mjs';
import { AuthPage, ChatPage } from './pages.mjs';

const T = { timeout: 120_000 };
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function psql(sql) {
  const run = spawnSync('psql', [PG, '-qc', sql], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`psql failed (install postgresql-client; TEST_DATABASE_URL=${PG}): ${run.error ?? run.stderr}`);
  }
}

/** Forwards to `pick(req)` without buffering (SSE passes through as it comes). */
function startProxy(pick) {
  const seen = [];
  const server = createServer((req, res) => {
    const target = new URL(pick(req));
    seen.push({ method: req.method, path: req.url, to: target.port, lastEventId: req.headers['last-event-id'] });
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        reply.pipe(res);
        // A replica killed mid-stream: cut the client's connection too, as a load balancer does.
        reply.on('error', () => res.destroy());
        reply.on('aborted', () => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.close() })),
  );
}

describe('LLMChat across replicas in Chromium', () => {
  const database = `llmchat_e2e_${randomBytes(4).toString('hex')}`;
  const replicas = [];
  let proxy;
  let browser;
  let page;

  before(async () => {
    psql(`CREATE DATABASE ${database}`);
    const env = {
      DATABASE_URL: PG.replace(/\/[^/]*$/, `/${database}`),
      REDIS_URL: REDIS,
      LLMCHAT_REDIS__KEY_PREFIX: `${database}:`,
      JWT_SECRET: 'e2e-replicas-jwt-secret-0123456789abcdefghij',
      LLMCHAT_CHAT__FLUSH_INTERVAL: '200ms',
    };
    // One after the other: the first creates the admin and the schema.
    for (const name of ['a', 'b', 'c']) replicas.push(await startServer({ admin: name === 'a', env }));
    const [a, b, c] = replicas;
    let streams = 0;
    proxy = await startProxy((req) => {
      if (req.method === 'GET' && /^\/api\/conversations\/[^/]+\/stream/.test(req.url)) {
        streams += 1;
        return streams === 1 ? b.url : c.url;
      }
      return a.url;
    });
    browser = await startBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    proxy?.close();
    for (const replica of replicas) await replica.stop().catch(() => {});
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test('the replica serving the page’s stream dies, and the answer still completes', T, async () => {
    const auth = new AuthPage(page, proxy.url);
    const chat = new ChatPage(page, proxy.url);
    await page.goto(proxy.url);
    await page.getByTestId('login-form').waitFor();
    await auth.login(ADMIN.username, ADMIN.password);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('slow');
    await chat.send('Across replicas');
    await chat.waitUntilStreamingText();
    await page.reload();
    // The UI reattaches through B, which follows A's turn in Redis.
    await chat.waitUntilStreamingText();
    const before = (await chat.lastAssistant().textContent()).length;
    await page.waitForFunction((n) => {
      const answers = document.querySelectorAll('[data-testid=message-assistant]');
      return (answers[answers.length - 1]?.textContent.length ?? 0) > n + 20;
    }, before);
    assert.ok(proxy.seen.some((r) => r.path.endsWith('/stream') && r.to === new URL(replicas[1].url).port));

    await replicas[1].kill();
    await page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'replicas-reconnecting');
    await chat.waitForAnswer('complete', 60_000);
    const text = await chat.lastAssistant().textContent();
    assert.equal(text.split('Demo reply').length - 1, 1, 'the heading appears exactly once');
    assert.match(text, /Across replicas/);
    assert.match(text, /你好！这是内置演示智能体的回复。/);
    const resumed = proxy.seen.filter((r) => r.path.endsWith('/stream') && r.to === new URL(replicas[2].url).port);
    assert.ok(resumed.length > 0 && resumed.every((r) => /:\d+$/.test(r.lastEventId ?? '')), 'resumed through C with Last-Event-ID');

    // What the page shows is what was saved.
    await page.reload();
    await chat.waitForAnswer('complete', 30_000);
    assert.equal(await chat.lastAssistant().textContent(), text);
  });
});
