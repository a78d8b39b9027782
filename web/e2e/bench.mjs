// Measures the web UI in Chromium against the real binary: opening a conversation of 1,000
// messages, streaming a 2,000-chunk answer (llmchat-mock's synthetic stream), and what the
// page does frame by frame while that answer streams.
//   node e2e/bench.mjs            (LLMCHAT_E2E_BINARY / LLMCHAT_MOCK_BINARY as for the e2e tests)
//   RUNS=7                        runs of each measure (default 5); medians are reported
//   PARTS=frames                  only some parts: `open`, `stream`, `frames` (default all three)
//   DELAY_MS=5                    the paced stream's pause before each chunk (default 5)
//   ANSWER=markdown               stream a real Markdown answer (markdown-answer.mjs: headings,
//                                 lists, code, tables; 14,380 characters in 1,594 chunks)
//                                 instead of the synthetic `tok1 … tok2000`, a single paragraph
//
// `frames`: the same 2,000-chunk answer, twice per run — as the mock sends it (unpaced: the
// whole answer arrives within a few frames) and paced (`delay_ms` before each chunk, so it
// spans hundreds of frames, as a fast model's answer does). For each, from Enter to the answer
// shown complete, in two fresh browser contexts:
// - renders, in a context whose page has a minimal React DevTools hook
//   (`__REACT_DEVTOOLS_GLOBAL_HOOK__`, installed before the app loads; the production build
//   reports every commit to it, nothing in the app changes): React commits, and the components
//   that rendered in each, found as React DevTools finds them (PerformedWork on the fibers of
//   the subtrees that changed), sorted by where their first element is — the page itself
//   (`main.chat`: ChatPage), the message list (`.message-scroller`), the streaming answer
//   (inside its `article`), the question above it, and the rest (header, composer, sidebar…);
// - timing, in a context without the hook: frames painted (requestAnimationFrame callbacks)
//   and the time between them (p50, p95, max; frames longer than 50 ms), long animation frames
//   (PerformanceObserver `long-animation-frame`: count and summed blocking time), and the
//   renderer's own counters from CDP `Performance.getMetrics` (script, layout and style time,
//   layout and style recalculation counts), as differences across the stream.
import { startBrowser, startMock, startServer } from './harness.mjs';
import { markdownFixtures } from './markdown-answer.mjs';

const PASSWORD = 'a long enough passphrase';
const RUNS = Number(process.env.RUNS ?? 5);
const PARTS = new Set((process.env.PARTS ?? 'open,stream,frames').split(','));
const DELAY_MS = Number(process.env.DELAY_MS ?? 5);
const MARKDOWN = process.env.ANSWER === 'markdown';
let ANSWER_KNOBS = 'chunks=2000';
let ANSWER_LABEL = '2,000 chunks';
if (MARKDOWN) {
  const fixtures = markdownFixtures();
  process.env.LLMCHAT_MOCK_FIXTURES = fixtures.dir;
  ANSWER_KNOBS = 'scenario=stream_markdown';
  ANSWER_LABEL = `Markdown answer (${fixtures.characters} chars, ${fixtures.chunks} chunks)`;
}

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
      base_url: ${mock.url}/k/${ANSWER_KNOBS}/openai/v1
      api_key: bench
      model: bench
  - id: paced
    name: Paced long answers
    description: 2,000 chunks from llmchat-mock, ${DELAY_MS} ms apart.
    provider:
      type: openai
      base_url: ${mock.url}/k/${ANSWER_KNOBS},delay_ms=${DELAY_MS}/openai/v1
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

async function signIn(page) {
  await page.goto(`${server.url}/login`);
  await page.getByTestId('login-username').fill('bench');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('new-chat-screen').waitFor();
}

/** A new chat with `agent`, its question typed; resolves once Enter is pressed. */
async function ask(page, agent, question) {
  await page.getByTestId('new-chat').click();
  await page.getByTestId('agent-picker').click();
  await page.locator(`[data-testid=agent-option][data-agent=${agent}]`).click();
  await page.getByTestId('composer-input').fill(question);
  // Let the new-chat screen settle: its renders are not the stream's.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const answered = (page) => page.locator('[data-testid=message-assistant][data-status=complete]').waitFor({ timeout: 120_000 });

/**
 * Installed before the app loads: a stand-in for the React DevTools extension that counts the
 * components each commit rendered, by where they are in the page (see the header).
 */
function renderCounter() {
  const counts = { commits: 0, page: 0, list: 0, answer: 0, question: 0, rest: 0 };
  window.__renders = counts;
  // Function, class, forwardRef and simple memo components (memo with a compare function
  // renders an inner function component fiber, counted as such).
  const COMPONENT = new Set([0, 1, 11, 15]);
  const HOST = new Set([5, 6, 26, 27]);
  const PERFORMED_WORK = 1;
  function element(fiber) {
    for (let f = fiber; f; f = f.child) if (HOST.has(f.tag)) return f.stateNode;
    for (let f = fiber.return; f; f = f.return) if (HOST.has(f.tag)) return f.stateNode;
    return null;
  }
  function count(fiber) {
    const node = element(fiber);
    const el = node && node.nodeType === 3 ? node.parentElement : node;
    if (!el || !el.isConnected) counts.rest++;
    else if (el.matches('main.chat')) counts.page++;
    else if (el.matches('.message-scroller')) counts.list++;
    else if (el.closest('article[data-testid=message-assistant]')) counts.answer++;
    else if (el.closest('article[data-testid=message-user]')) counts.question++;
    else counts.rest++;
  }
  function walk(next, prev) {
    if (COMPONENT.has(next.tag) && (prev === null || (next.flags & PERFORMED_WORK) !== 0)) count(next);
    // The same children as before: nothing below was rendered.
    if (prev !== null && next.child === prev.child) return;
    for (let child = next.child; child; child = child.sibling) walk(child, prev === null ? null : child.alternate);
  }
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject: () => 1,
    checkDCE: () => {},
    onCommitFiberUnmount: () => {},
    onPostCommitFiberRoot: () => {},
    onCommitFiberRoot(_id, root) {
      counts.commits++;
      walk(root.current, root.current.alternate);
    },
  };
}

/** Starts recording frames in the page; `stopFrames` returns what was seen. */
function startFrames() {
  const state = { times: [], loaf: [], running: true };
  window.__frames = state;
  const tick = (t) => {
    state.times.push(t);
    if (state.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  state.observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) state.loaf.push(entry.blockingDuration ?? 0);
  });
  state.observer.observe({ type: 'long-animation-frame' });
}

function stopFrames() {
  const state = window.__frames;
  state.running = false;
  for (const entry of state.observer.takeRecords()) state.loaf.push(entry.blockingDuration ?? 0);
  state.observer.disconnect();
  const gaps = state.times.slice(1).map((t, i) => t - state.times[i]);
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    frames: gaps.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] ?? 0,
    over50: gaps.filter((g) => g > 50).length,
    loaf: state.loaf.length,
    blocking: state.loaf.reduce((a, b) => a + b, 0),
  };
}

const METRICS = ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'LayoutCount', 'RecalcStyleCount'];
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.filter((m) => METRICS.includes(m.name)).map((m) => [m.name, m.value]));
}

/** Renders and timings of one stream of `agent`'s answer, per run (see the header). */
async function framesOf(browser, agent) {
  const renders = [];
  const timing = [];
  const counted = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await counted.addInitScript(renderCounter);
  const plain = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [countedPage, plainPage] = [await counted.newPage(), await plain.newPage()];
  await signIn(countedPage);
  await signIn(plainPage);
  const cdp = await plain.newCDPSession(plainPage);
  await cdp.send('Performance.enable');
  for (let run = 0; run < RUNS; run++) {
    await ask(countedPage, agent, `Write a long answer ${run}`);
    const before = await countedPage.evaluate(() => ({ ...window.__renders }));
    if (before.commits === 0) throw new Error('the React DevTools hook saw no commit');
    await countedPage.getByTestId('composer-input').press('Enter');
    await answered(countedPage);
    const after = await countedPage.evaluate(() => ({ ...window.__renders }));
    renders.push(Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]])));

    await ask(plainPage, agent, `Write a long answer ${run}`);
    await plainPage.evaluate(startFrames);
    const start = await metrics(cdp);
    const started = Date.now();
    await plainPage.getByTestId('composer-input').press('Enter');
    await answered(plainPage);
    const ms = Date.now() - started;
    const end = await metrics(cdp);
    const frames = await plainPage.evaluate(stopFrames);
    const delta = (k) => end[k] - start[k];
    timing.push({
      ms,
      ...frames,
      script: delta('ScriptDuration') * 1000,
      layout: delta('LayoutDuration') * 1000,
      style: delta('RecalcStyleDuration') * 1000,
      layouts: delta('LayoutCount'),
      styles: delta('RecalcStyleCount'),
    });
  }
  await counted.close();
  await plain.close();
  return { renders, timing };
}

function report(title, runs, rows) {
  console.log(`\n${title} — median of ${runs.length} (runs)`);
  for (const [label, key, digits = 0] of rows) {
    const xs = runs.map((r) => r[key]);
    const fmt = (x) => x.toFixed(digits);
    console.log(`  ${label}: ${fmt(median(xs))} (${xs.map(fmt).join(', ')})`);
  }
}

try {
  const { access_token: token } = await api('/api/auth/register', null, { username: 'bench', password: PASSWORD });
  const browser = await startBrowser();

  if (PARTS.has('open') || PARTS.has('stream')) {
    const long = await api('/api/conversations', token, { agent_id: 'demo', title: 'A thousand messages' });
    for (let i = 0; i < 500; i++) {
      await api(`/api/conversations/${long.id}/messages`, token, { content: `Question number ${i}`, stream: false });
    }
    const { items } = await api(`/api/conversations/${long.id}/messages`, token);
    console.log(`conversation with ${items.length} messages`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page);

    if (PARTS.has('open')) {
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
    }

    if (PARTS.has('stream')) {
      const stream = [];
      for (let run = 0; run < RUNS; run++) {
        await ask(page, 'long', `Write a long answer ${run}`);
        const started = Date.now();
        await page.getByTestId('composer-input').press('Enter');
        await answered(page);
        stream.push(Date.now() - started);
      }
      const chars = await page.locator('[data-testid=message-assistant] .markdown').last().textContent();
      console.log(`stream ${ANSWER_LABEL} (${chars.length} characters): median ${median(stream)} ms (runs: ${stream.join(', ')})`);

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
    }
    await page.close();
  }

  if (PARTS.has('frames')) {
    for (const [agent, label] of [
      ['long', `${ANSWER_LABEL}, unpaced`],
      ['paced', `${ANSWER_LABEL}, ${DELAY_MS} ms apart`],
    ]) {
      const { renders, timing } = await framesOf(browser, agent);
      report(`${label}: renders during the stream`, renders, [
        ['React commits', 'commits'],
        ['ChatPage renders (the page)', 'page'],
        ['MessageList renders', 'list'],
        ['components rendered in the streaming answer', 'answer'],
        ['components rendered in the question', 'question'],
        ['components rendered elsewhere (header, composer, sidebar…)', 'rest'],
      ]);
      report(`${label}: frames during the stream`, timing, [
        ['Enter → complete (ms)', 'ms'],
        ['frames', 'frames'],
        ['frame time p50 (ms)', 'p50', 1],
        ['frame time p95 (ms)', 'p95', 1],
        ['frame time max (ms)', 'max', 1],
        ['frames over 50 ms', 'over50'],
        ['long animation frames', 'loaf'],
        ['their blocking time (ms)', 'blocking'],
        ['script time (ms)', 'script'],
        ['layout time (ms)', 'layout'],
        ['style recalc time (ms)', 'style'],
        ['layouts', 'layouts'],
        ['style recalcs', 'styles'],
      ]);
    }
  }
  await browser.close();
} finally {
  await server.stop();
  mock.stop();
}
