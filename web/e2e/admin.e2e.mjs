// End-to-end: the admin console against the real binary and llmchat-mock. The admin (made
// from LLMCHAT_ADMIN_USERNAME/PASSWORD, as in production) adds an OpenAI-compatible agent that
// points at the mock upstream; a user then chats with it; the dashboard draws the traffic;
// a user cannot open the console.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startMock, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const KEY = 'sk-mock-secret-4242';
const T = { timeout: 90_000 };

describe('the admin console in Chromium', () => {
  let mock;
  let server;
  let browser;
  let adminContext;
  let userContext;
  let admin;
  let user;
  let consolePage;
  const problems = [];

  const watch = (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Refused requests (the 403s this test provokes, the first refresh's 401) are logged
      // by Chromium; the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  };

  before(async () => {
    mock = await startMock();
    server = await startServer();
    browser = await startBrowser();
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    userContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    admin = await adminContext.newPage();
    user = await userContext.newPage();
    watch(admin);
    watch(user);
    consolePage = new AdminConsole(admin, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    mock?.stop();
  });

  test('a user sees no admin entry, and the console answers 403 with a clear screen', T, async () => {
    await new AuthPage(user, server.url).register('bob', PASSWORD);
    await user.getByTestId('new-chat-screen').waitFor();
    assert.equal(await user.getByTestId('admin-link').count(), 0);
    await user.goto(`${server.url}/admin/agents`);
    await user.getByTestId('forbidden').getByRole('heading', { name: 'Not allowed' }).waitFor();
    assert.equal(await user.getByTestId('admin-console').count(), 0);
    await screenshot(user, 'admin-forbidden-light-desktop');
    // The server refuses too, whatever the page shows.
    const status = await user.evaluate(async () => {
      const refreshed = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      const response = await fetch('/api/admin/stats', { headers: { authorization: `Bearer ${refreshed.access_token}` } });
      return response.status;
    });
    assert.equal(status, 403);
    await user.getByRole('link', { name: 'Go to chat' }).click();
    await user.getByTestId('new-chat-screen').waitFor();
  });

  test('the admin creates an OpenAI-compatible agent; its key is never shown', T, async () => {
    await admin.goto(server.url);
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('admin-link').click();
    await admin.getByTestId('admin-dashboard').waitFor();
    await consolePage.section('agents');
    await consolePage.agentRow('demo').waitFor();
    await admin.getByTestId('new-agent').click();
    await admin.getByTestId('agent-editor').waitFor();

    // The form checks what the server checks before sending.
    await consolePage.fillOpenAiAgent({ id: 'Mock GPT', name: 'Mock GPT', baseUrl: 'not a url', apiKey: KEY, model: '' });
    await admin.getByTestId('agent-save').click();
    assert.equal(await admin.getByTestId('field-error').count(), 3, 'id, base URL and model are refused');
    assert.equal(await admin.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'agent-id', 'the first wrong field has the focus');
    await screenshot(admin, 'admin-agent-form-errors-light-desktop');

    // What only the server knows (the other agents) comes back on its field.
    await consolePage.fillOpenAiAgent({ id: 'mock-gpt', name: 'Mock GPT', baseUrl: `${mock.url}/openai/v1`, apiKey: KEY, model: 'mock-model' });
    await admin.getByLabel('Fallback agents').fill('gone');
    await admin.getByTestId('agent-save').click();
    await admin.getByTestId('field-error').filter({ hasText: 'unknown agent "gone"' }).waitFor();
    assert.equal(await admin.evaluate(() => document.activeElement?.id), 'agent-fallbacks');
    await admin.getByLabel('Fallback agents').fill('demo');
    await admin.getByTestId('agent-save').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Agent Mock GPT created.' }).waitFor();
    const row = consolePage.agentRow('mock-gpt');
    await row.getByText('Console').waitFor();
    await row.getByText('Enabled').waitFor();

    await row.getByTestId('test-agent').click();
    await row.locator('[data-testid=test-result][data-ok=true]').waitFor();
    assert.match(await row.getByTestId('test-result').textContent(), /OK · \d+ ms/);
    await screenshot(admin, 'admin-agents-light-desktop');

    await row.getByRole('link', { name: 'Edit Mock GPT' }).click();
    await admin.getByTestId('agent-editor').waitFor();
    assert.equal(await admin.getByTestId('agent-api-key').inputValue(), '', 'the stored key is not in the form');
    assert.equal(await admin.getByTestId('agent-model').inputValue(), 'mock-model');
    assert.ok(!(await admin.content()).includes(KEY), 'the key appears nowhere in the page');
    await screenshot(admin, 'admin-agent-form-light-desktop');
    // Saving without touching the key keeps it: the agent still answers below.
    await admin.getByTestId('agent-save').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Agent Mock GPT saved.' }).waitFor();
  });

  test('the new agent appears in the user’s picker and answers through the mock upstream', T, async () => {
    const chat = new ChatPage(user, server.url);
    await user.reload();
    await user.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('mock-gpt');
    await chat.send('Hello from bob');
    await user.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    assert.match(await chat.lastAssistant().textContent(), /Hello/);
    await chat.newChat();
    await chat.pickAgent('demo');
    await chat.send('And a demo question');
    await chat.waitForAnswer('complete');
  });

  test('disabling the agent hides it from users; enabling brings it back', T, async () => {
    const row = consolePage.agentRow('mock-gpt');
    await row.getByTestId('toggle-agent').click();
    await row.getByText('Disabled').waitFor();
    const ids = async () =>
      user.evaluate(async () => {
        const refreshed = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
        const list = await fetch('/api/agents', { headers: { authorization: `Bearer ${refreshed.access_token}` } }).then((r) => r.json());
        return list.items.map((a) => a.id);
      });
    assert.ok(!(await ids()).includes('mock-gpt'));
    await row.getByTestId('toggle-agent').click();
    await row.getByText('Enabled').waitFor();
    assert.ok((await ids()).includes('mock-gpt'));
  });

  test('a connection test shows the upstream’s refusal', T, async () => {
    const status = await admin.evaluate(async (baseUrl) => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      const response = await fetch('/api/admin/agents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id: 'broken', name: 'Broken key', provider: { type: 'openai', base_url: baseUrl, api_key: 'sk-wrong', model: 'm' } }),
      });
      return response.status;
    }, `${mock.url}/k/fault=401/openai/v1`);
    assert.equal(status, 201);
    await consolePage.open('agents');
    const row = consolePage.agentRow('broken');
    await row.getByTestId('test-agent').click();
    await row.locator('[data-testid=test-result][data-ok=false]').waitFor();
    assert.match(await row.getByTestId('test-result').textContent(), /Failed after \d+ ms.*401/s);
    await row.getByRole('button', { name: 'Delete' }).click();
    await admin.getByTestId('confirm-ok').click();
    await row.waitFor({ state: 'detached' });
  });

  test('the dashboard draws the traffic in charts', T, async () => {
    await consolePage.section('dashboard');
    for (const chart of ['chart-tokens', 'chart-messages', 'chart-agents', 'chart-providers', 'chart-errors', 'chart-ttft']) {
      await consolePage.waitForChart(chart);
    }
    const cards = await admin.getByTestId('stat-cards').textContent();
    assert.match(cards, /Users\s*2/);
    assert.match(cards, /Messages\s*4/);
    // The figures behind the pictures are there for screen readers.
    const agents = await admin.getByTestId('chart-agents').locator('table').textContent();
    assert.match(agents, /mock-gpt/);
    assert.match(agents, /demo/);
    await admin.getByTestId('usage-agent').click();
    await admin.getByTestId('usage-table').getByText('mock-gpt').waitFor();
    await admin.evaluate(() => window.scrollTo(0, 0));
    await screenshot(admin, 'admin-dashboard-light-desktop');
  });

  test('users: search, and a role change is asked for and done', T, async () => {
    await consolePage.section('users');
    await admin.getByTestId('user-search').fill('bo');
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid=user-row]').length === 1);
    const bob = admin.locator('[data-testid=user-row][data-username=bob]');
    await bob.getByTestId('user-role').click();
    await admin.getByTestId('confirm-ok').click();
    await bob.getByText('Admin', { exact: true }).waitFor();
    await bob.getByTestId('user-role').click();
    await admin.getByTestId('confirm-ok').click();
    await bob.getByText('User', { exact: true }).waitFor();
    await admin.getByTestId('user-search').fill('');
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid=user-row]').length === 2);
    await screenshot(admin, 'admin-users-light-desktop');
  });

  test('users: an account is created, its password reset, then disabled', T, async () => {
    const login = (password) =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'carol', password }),
      }).then((r) => r.status);
    await admin.getByTestId('new-user').click();
    const form = admin.getByTestId('create-user');
    await form.getByLabel('Username').fill('carol');
    await form.getByLabel('Password').fill('carol first passphrase');
    await form.getByRole('button', { name: 'Create user' }).click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'User carol created.' }).waitFor();
    const carol = admin.locator('[data-testid=user-row][data-username=carol]');
    assert.equal(await login('carol first passphrase'), 200);

    await carol.getByTestId('user-reset').click();
    await admin.getByTestId('reset-password').fill('carol second passphrase');
    await admin.getByTestId('reset-submit').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'The password of carol was reset.' }).waitFor();
    assert.equal(await login('carol first passphrase'), 401);
    assert.equal(await login('carol second passphrase'), 200);

    await carol.getByTestId('user-disable').click();
    await admin.getByTestId('confirm-ok').click();
    await carol.getByText('Disabled', { exact: true }).waitFor();
    assert.notEqual(await login('carol second passphrase'), 200, 'a disabled account cannot sign in');
  });

  test('the audit log filters by action', T, async () => {
    await consolePage.section('audit');
    await admin.getByTestId('audit-row').first().waitFor();
    await admin.getByTestId('audit-action').fill('admin.agent_create');
    await admin.getByTestId('audit-apply').click();
    await admin.waitForURL(/action=admin\.agent_create/);
    await admin.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=audit-row]')];
      // mock-gpt and broken, and nothing else.
      return rows.length === 2 && rows.every((row) => row.getAttribute('data-action') === 'admin.agent_create');
    });
    await screenshot(admin, 'admin-audit-light-desktop');
  });

  test('system: health, version, and a configuration reload', T, async () => {
    await consolePage.section('system');
    await admin.getByTestId('health-components').getByText('Database').waitFor();
    await admin.getByTestId('version').waitFor();
    await admin.getByTestId('reload-config').click();
    await admin.getByTestId('reload-outcome').getByText('mock-gpt', { exact: false }).waitFor();
    await screenshot(admin, 'admin-system-light-desktop');
  });

  test('screenshots: dark theme, Chinese, phone width', T, async () => {
    await admin.emulateMedia({ colorScheme: 'dark' });
    await admin.evaluate(() => localStorage.setItem('llmchat.theme', 'dark'));
    for (const section of ['dashboard', 'agents', 'users', 'audit', 'system']) {
      await consolePage.open(section === 'dashboard' ? '' : section);
      if (section === 'dashboard') await consolePage.waitForChart('chart-tokens');
      else await admin.getByTestId(`admin-${section}`).waitFor();
      await admin.waitForLoadState('networkidle');
      await screenshot(admin, `admin-${section}-dark-desktop`);
    }
    await admin.setViewportSize({ width: 390, height: 844 });
    await consolePage.open();
    await consolePage.waitForChart('chart-tokens');
    await screenshot(admin, 'admin-dashboard-dark-phone');
    await consolePage.open('agents');
    await consolePage.agentRow('mock-gpt').waitFor();
    await screenshot(admin, 'admin-agents-dark-phone');
    await consolePage.open('users');
    await admin.getByTestId('user-row').first().waitFor();
    await screenshot(admin, 'admin-users-dark-phone');

    await admin.evaluate(() => {
      localStorage.setItem('llmchat.theme', 'light');
      localStorage.setItem('llmchat.language', 'zh-CN');
    });
    await admin.emulateMedia({ colorScheme: 'light' });
    await consolePage.open();
    await admin.getByRole('heading', { name: '仪表盘' }).waitFor();
    await consolePage.waitForChart('chart-tokens');
    await screenshot(admin, 'admin-dashboard-zh-light-phone');
    await consolePage.open('agents/new');
    await admin.getByTestId('agent-editor').waitFor();
    await screenshot(admin, 'admin-agent-form-zh-light-phone');
    await admin.setViewportSize({ width: 1280, height: 800 });
    await consolePage.open();
    await consolePage.waitForChart('chart-providers');
    await screenshot(admin, 'admin-dashboard-zh-light-desktop');
    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'en'));
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
