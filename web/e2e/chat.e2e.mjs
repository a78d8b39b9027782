// End-to-end: the real binary, Debian's Chromium, the demo agents. One user's journey
// through the chat, then settings, themes, languages and phone width.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startServer } from './harness.mjs';
import { AuthPage, ChatPage, Sidebar } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const T = { timeout: 90_000 };

describe('LLMChat in Chromium', () => {
  let server;
  let browser;
  let context;
  let page;
  let auth;
  let chat;
  let sidebar;
  const problems = [];

  before(async () => {
    server = await startServer();
    browser = await startBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Chromium logs every refused request (the first refresh without a cookie is a 401;
      // a stop racing the end of an answer a 409): the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    auth = new AuthPage(page, server.url);
    chat = new ChatPage(page, server.url);
    sidebar = new Sidebar(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the login page switches language and theme', T, async () => {
    await page.goto(server.url);
    await page.getByTestId('login-form').waitFor();
    await screenshot(page, 'login-light-desktop');
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByRole('heading', { name: '欢迎回来' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await screenshot(page, 'login-zh');
    await page.getByTestId('language-select').selectOption('en');
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await page.getByTestId('theme-select').selectOption('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await screenshot(page, 'login-dark-desktop');
    await page.getByTestId('theme-select').selectOption('light');
  });

  test('registration signs in and shows the agent’s welcome and suggestions', T, async () => {
    await auth.register('alice', PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    await page.getByText('Welcome to the end-to-end tests.').waitFor();
    assert.equal(await page.getByTestId('suggestion').count(), 2);
    assert.equal(await page.getByTestId('current-user').textContent(), 'alice');
    await screenshot(page, 'new-chat-light-desktop');
  });

  test('an answer streams, renders Markdown and can be stopped', T, async () => {
    await chat.pickAgent('slow');
    await chat.send('First question');
    await page.waitForURL(/\/c\//);
    await chat.waitUntilStreamingText();
    await screenshot(page, 'streaming-light-desktop');
    await page.getByTestId('stop').click();
    await chat.waitForAnswer('stopped');
    await page.getByText('Stopped', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('message-user').count(), 1);
  });

  test('regenerate adds a second answer, and branch navigation goes back to the first', T, async () => {
    await page.getByTestId('regenerate').click();
    await chat.waitForAnswer('complete', 60_000);
    const answer = chat.lastAssistant();
    await answer.getByTestId('branch-count').filter({ hasText: '2/2' }).waitFor();
    assert.match(await answer.textContent(), /你好！这是内置演示智能体的回复。/);
    // The demo varies its answers: some code in one of its languages.
    await answer.locator('.code-block-lang').filter({ hasText: /^(rust|python|typescript|sql)$/ }).waitFor();
    await answer.locator('table').waitFor();
    await answer.getByTestId('branch-prev').click();
    await chat.lastAssistant().getByTestId('branch-count').filter({ hasText: '1/2' }).waitFor();
    assert.equal(await chat.lastAssistant().getAttribute('data-status'), 'stopped');
    await chat.lastAssistant().getByTestId('branch-next').click();
    await chat.lastAssistant().getByTestId('branch-count').filter({ hasText: '2/2' }).waitFor();
  });

  test('editing a question sends it again as a new branch', T, async () => {
    const question = page.getByTestId('message-user').last();
    await question.hover();
    await question.getByTestId('edit-message').click();
    await page.getByTestId('edit-input').fill('Edited question');
    await page.getByTestId('edit-send').click();
    await chat.waitForAnswer('complete', 60_000);
    const edited = page.getByTestId('message-user').last();
    await edited.getByText('Edited question').waitFor();
    await edited.getByTestId('branch-count').filter({ hasText: '2/2' }).waitFor();
    assert.match(await chat.lastAssistant().textContent(), /Edited question/);
  });

  test('reloading mid-answer reattaches and shows the whole answer once', T, async () => {
    await chat.send('Second question');
    await chat.waitUntilStreamingText();
    await page.reload();
    await chat.waitForAnswer('complete', 60_000);
    const text = await chat.lastAssistant().textContent();
    assert.match(text, /Second question/);
    assert.equal(text.split('Demo reply').length - 1, 1, 'the heading appears exactly once');
    assert.match(text, /你好！这是内置演示智能体的回复。/);
    assert.equal(await page.getByTestId('message-user').count(), 2);
  });

  test('the sidebar searches, renames, and deletes with a confirmation', T, async () => {
    await chat.newChat();
    await chat.pickAgent('demo');
    await chat.send('Zebra crossings in Beijing');
    await chat.waitForAnswer('complete');
    // One clear button: ours (a type=search field would add the browser's own).
    assert.notEqual(await page.getByTestId('conversation-search').getAttribute('type'), 'search');
    await sidebar.search('Zebra');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 1);
    assert.equal(await page.getByTestId('clear-search').count(), 1);
    assert.equal(await sidebar.items().first().locator('mark').first().textContent(), 'Zebra', 'the match is highlighted');
    // The message that matched, with the match marked.
    await sidebar.items().first().getByTestId('search-snippet').locator('mark').filter({ hasText: 'Zebra' }).first().waitFor();
    // A search that hides the open conversation from the sidebar leaves the header's title alone.
    await page.waitForFunction(() => !/^(New conversation|)$/.test(document.querySelector('[data-testid=chat-title]')?.textContent ?? ''));
    const title = await page.getByTestId('chat-title').textContent();
    await sidebar.search('nothing is called like this');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 0);
    assert.equal(await page.getByTestId('chat-title').textContent(), title);
    await page.getByTestId('clear-search').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 2);
    await sidebar.search('Zebra');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 1);
    await sidebar.search('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 2);

    const first = (await sidebar.items().first().textContent()).trim();
    await sidebar.rename(first, 'Renamed chat');
    await sidebar.item('Renamed chat').waitFor();
    await page.reload();
    await sidebar.item('Renamed chat').waitFor();

    await sidebar.remove('Renamed chat');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 1);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-item]').length === 1);
  });

  test('token counts are labelled, and My usage shows them per agent and per day', T, async () => {
    await sidebar.items().first().click();
    await chat.waitForAnswer('complete');
    const usage = chat.lastAssistant().getByTestId('message-usage');
    assert.match(await usage.textContent(), /^\d+ in · \d+ out$/);
    await page.getByTestId('usage-link').click();
    await page.getByTestId('usage-page').waitFor();
    assert.ok(Number(await page.getByTestId('usage-requests').textContent()) >= 3);
    await page.getByTestId('usage-by-agent').getByText('Demo', { exact: true }).waitFor();
    await page.getByTestId('usage-by-day').locator('tbody tr').first().waitFor();
    await screenshot(page, 'usage-light-desktop');
    await page.goBack();
  });

  test('settings: an API key is shown once, dark theme, Chinese, phone width', T, async () => {
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('key-name').fill('laptop');
    await page.getByTestId('create-key').click();
    const key = await page.getByTestId('new-key-value').textContent();
    assert.match(key, /^sk-llmc-/);
    await page.getByTestId('keys-table').getByText('laptop').waitFor();
    await screenshot(page, 'settings-light-desktop');

    await page.getByTestId('theme-select').selectOption('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await screenshot(page, 'settings-dark-desktop');
    await page.goto(server.url);
    await sidebar.items().first().click();
    await chat.waitForAnswer('complete');
    await screenshot(page, 'chat-dark-desktop');

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'chat-dark-phone');
    await page.getByTestId('open-drawer').click();
    await page.getByTestId('sidebar').getByTestId('new-chat').waitFor({ state: 'visible' });
    await screenshot(page, 'sidebar-dark-phone');
    await page.keyboard.press('Escape');

    await page.goto(`${server.url}/settings`);
    await page.getByTestId('theme-select').selectOption('light');
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    await screenshot(page, 'settings-zh-light-phone');
    await page.goto(server.url);
    await page.getByTestId('open-drawer').click();
    await sidebar.items().first().click();
    await chat.waitForAnswer('complete');
    await screenshot(page, 'chat-light-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('signing out returns to the login page; signing in again restores the chats', T, async () => {
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('language-select').selectOption('en');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-form').waitFor();
    await auth.login('alice', PASSWORD);
    // Back where the user was (the settings page).
    await page.waitForURL(/\/settings$/);
    await page.getByTestId('current-user').filter({ hasText: 'alice' }).waitFor();
    await sidebar.items().first().waitFor();
    assert.equal(await sidebar.items().count(), 1);
  });

  test('the admin account from the environment can sign in', T, async () => {
    await page.getByTestId('sign-out').click();
    await auth.login(ADMIN.username, ADMIN.password);
    await page.getByTestId('current-user').filter({ hasText: ADMIN.username }).waitFor();
    assert.equal(await sidebar.items().count(), 0, 'another user sees none of alice’s chats');
  });

  test('a long conversation is virtualised, follows a streaming answer, and stops following on scroll-up', T, async () => {
    const id = await page.evaluate(async () => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      const post = (path, body) =>
        fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }).then((r) => r.json());
      const conversation = await post('/api/conversations', { agent_id: 'fast', title: 'Long read' });
      for (let i = 0; i < 60; i++) await post(`/api/conversations/${conversation.id}/messages`, { content: `Question ${i}`, stream: false });
      return conversation.id;
    });
    await page.goto(`${server.url}/c/${id}`);
    await chat.waitForAnswer('complete');
    await page.getByTestId('message-user').getByText('Question 59', { exact: true }).waitFor();
    const inPage = await page.locator('[data-testid=message-user], [data-testid=message-assistant]').count();
    assert.ok(inPage < 40, `only the messages near the view are in the page (${inPage} of 120)`);

    // Scrolling to the top brings the first question; the list no longer follows the end.
    await page.locator('[data-testid=message-list]').hover();
    const first = page.getByTestId('message-user').getByText('Question 0', { exact: true });
    for (let i = 0; i < 100 && !(await first.isVisible()); i++) await page.mouse.wheel(0, -3000);
    await first.waitFor();
    await page.getByTestId('jump-to-latest').click();
    await page.getByTestId('message-user').getByText('Question 59', { exact: true }).waitFor();
    await page.getByTestId('jump-to-latest').waitFor({ state: 'detached' });

    const atBottom = () =>
      page.evaluate(() => {
        const list = document.querySelector('[data-testid=message-list]');
        return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      });
    await chat.pickAgent('slow');
    await chat.send('Follow me');
    await chat.waitUntilStreamingText();
    await page.waitForTimeout(300);
    assert.ok(await atBottom(), 'the view follows the streaming answer');
    await page.locator('[data-testid=message-list]').hover();
    await page.mouse.wheel(0, -1500);
    await page.getByTestId('jump-to-latest').waitFor();
    await page.waitForTimeout(500);
    assert.ok(!(await atBottom()), 'after scrolling up, the view stays where the reader is');
    await page.getByTestId('jump-to-latest').click();
    await page.waitForFunction(() => {
      const list = document.querySelector('[data-testid=message-list]');
      return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    });
    await page.getByTestId('stop').click();
    await chat.waitForAnswer('stopped');
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
