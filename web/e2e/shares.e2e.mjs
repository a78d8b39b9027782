// End-to-end: share links. A user chats with the demo agent and shares the conversation; the
// link opens for a visitor who is not signed in; a members-only link asks the visitor to sign
// in (and comes back after); a revoked link is gone; Settings lists the links.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { screenshot, startBrowser, startServer } from './harness.mjs';
import { AuthPage, ChatPage, Sidebar } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const QUESTION = 'What should I see in Beijing?';
const T = { timeout: 90_000 };

describe('Share links in Chromium', () => {
  let server;
  let browser;
  let context;
  let page;
  let chat;
  const visitors = [];
  const problems = [];
  let answer;
  let publicLink;
  let membersLink;

  /** A fresh browser context: nobody signed in. */
  async function visitor({ locale = 'en-US', viewport = { width: 1280, height: 800 } } = {}) {
    const ctx = await browser.newContext({ viewport, locale, colorScheme: 'light' });
    visitors.push(ctx);
    const p = await ctx.newPage();
    watch(p);
    return p;
  }

  function watch(p) {
    p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    p.on('console', (m) => {
      // Refused requests (the first refresh without a cookie, the 401 and 404 of the links
      // tested here) are logged by Chromium; the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  }

  /** Creates a link in the open share dialog; returns its full address. */
  async function createLink({ membersOnly = false, expiry = 'never' } = {}) {
    const dialog = page.getByTestId('share-dialog');
    const before = await dialog.getByTestId('share-link').count();
    await dialog.getByTestId('share-expiry').selectOption(expiry);
    await dialog.getByTestId('share-members-only').setChecked(membersOnly);
    await dialog.getByTestId('share-create').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=share-link]').length === n + 1, before);
    return dialog.getByTestId('share-url').textContent();
  }

  before(async () => {
    server = await startServer();
    browser = await startBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    watch(page);
    chat = new ChatPage(page, server.url);
  });

  after(async () => {
    for (const ctx of visitors) await ctx.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('a user shares a conversation with the demo agent', T, async () => {
    await new AuthPage(page, server.url).register('alice', PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('demo');
    await chat.send(QUESTION);
    await page.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    answer = (await chat.lastAssistant().locator('.markdown').textContent()).trim();
    assert.ok(answer.length > 20);

    await page.getByTestId('share-open').click();
    const dialog = page.getByTestId('share-dialog');
    await dialog.waitFor();
    await dialog.getByText('No links yet.').waitFor();
    publicLink = await createLink();
    assert.match(publicLink, new RegExp(`^${server.url}/share/[A-Za-z0-9_-]+$`));
    await dialog.getByTestId('share-url-copy').click();
    await dialog.getByTestId('share-url-copy').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), publicLink);
    assert.equal(await dialog.getByTestId('share-link').first().getAttribute('data-status'), 'live');
    await screenshot(page, 'share-dialog-light-desktop');
  });

  test('the link opens, read-only, for a visitor who is not signed in', T, async () => {
    const guest = await visitor();
    await guest.goto(publicLink);
    await guest.getByTestId('share-page').waitFor();
    assert.equal(guest.url(), publicLink, 'no redirect to the sign-in page');
    assert.equal(await guest.getByTestId('share-agent').textContent(), 'Demo');
    assert.match(await guest.getByTestId('share-by').textContent(), /^Shared by alice on /);
    assert.equal((await guest.getByTestId('shared-user').textContent()).trim(), QUESTION);
    const shown = guest.getByTestId('shared-assistant').locator('.markdown');
    assert.equal((await shown.textContent()).trim(), answer);
    assert.ok((await shown.locator('table, pre, h1, h2, h3, strong').count()) > 0, 'the answer is rendered Markdown');
    assert.equal(await guest.getByTestId('composer-input').count(), 0);
    assert.equal(await guest.getByTestId('sidebar').count(), 0);
    assert.equal(await guest.getByTestId('share-open-app').getAttribute('href'), '/');
    await screenshot(guest, 'share-page-light-desktop');
    await guest.setViewportSize({ width: 390, height: 844 });
    await screenshot(guest, 'share-page-light-phone');
    const overflow = await guest.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, 'nothing wider than a phone');

    // In Chinese.
    const zh = await visitor({ locale: 'zh-CN' });
    await zh.goto(publicLink);
    await zh.getByTestId('share-page').waitFor();
    await zh.getByText('打开 LLMChat').waitFor();
    assert.match(await zh.getByTestId('share-by').textContent(), /^由 alice 分享于 /);
    await screenshot(zh, 'share-page-zh-desktop');
  });

  test('a link made later keeps what was said when it was made', T, async () => {
    await page.getByTestId('share-close').click();
    await chat.send('A second question');
    await chat.waitForAnswer('complete');
    const guest = await visitor();
    await guest.goto(publicLink);
    await guest.getByTestId('share-page').waitFor();
    assert.equal(await guest.getByTestId('shared-user').count(), 1, 'later messages are not shown');
  });

  test('a members-only link asks a visitor to sign in, and shows the conversation after', T, async () => {
    await page.getByTestId('share-open').click();
    await page.getByTestId('share-dialog').getByTestId('share-link').first().waitFor();
    membersLink = await createLink({ membersOnly: true, expiry: '7' });
    assert.notEqual(membersLink, publicLink);

    const guest = await visitor();
    await guest.goto(membersLink);
    await guest.getByTestId('share-sign-in').waitFor();
    await guest.getByText('It is shared with signed-in members of this server only.').waitFor();
    assert.equal(await guest.getByTestId('share-page').count(), 0);
    await screenshot(guest, 'share-sign-in-light-desktop');
    const zh = await visitor({ locale: 'zh-CN' });
    await zh.goto(membersLink);
    await zh.getByTestId('share-sign-in').getByText('登录后查看此对话').waitFor();
    await screenshot(zh, 'share-sign-in-zh-desktop');

    // Signing in returns to the link.
    await guest.getByTestId('share-sign-in-link').click();
    await guest.getByTestId('login-form').waitFor();
    await new AuthPage(guest, server.url).login('alice', PASSWORD);
    await guest.waitForURL(membersLink);
    await guest.getByTestId('share-page').waitFor();
    assert.equal(await guest.getByTestId('shared-user').count(), 2);
    await guest.getByText('Members only', { exact: true }).waitFor();
  });

  test('revoking the first link makes it show the not-found screen', T, async () => {
    const id = publicLink.split('/share/')[1];
    const row = page.locator(`[data-testid=share-link][data-id="${id}"]`);
    await row.getByTestId('share-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator(`[data-testid=share-link][data-id="${id}"][data-status=revoked]`).waitFor();
    await screenshot(page, 'share-dialog-revoked-light-desktop');
    await page.getByTestId('share-close').click();
    await page.getByTestId('share-dialog').waitFor({ state: 'detached' });

    const guest = await visitor();
    await guest.goto(publicLink);
    await guest.getByTestId('share-not-found').waitFor();
    await guest.getByText('This link does not exist, was revoked or has expired.').waitFor();
    await screenshot(guest, 'share-not-found-light-desktop');
    const zh = await visitor({ locale: 'zh-CN' });
    await zh.goto(publicLink);
    await zh.getByText('此链接不存在、已被撤销或已过期。').waitFor();
    await screenshot(zh, 'share-not-found-zh-desktop');
  });

  test('the sidebar menu opens the same dialog with the conversation’s links', T, async () => {
    const sidebar = new Sidebar(page);
    await sidebar.menu(QUESTION.slice(0, 12), 'share');
    const dialog = page.getByTestId('share-dialog');
    await dialog.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=share-link]').length === 2);
    assert.deepEqual(await dialog.getByTestId('share-link').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))), ['live', 'revoked']);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('Settings lists the links, in English and in Chinese', T, async () => {
    await page.goto(`${server.url}/settings`);
    const section = page.getByTestId('settings-shares');
    await section.getByTestId('shares-table').waitFor();
    const rows = section.getByTestId('share-row');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-status'))), ['live', 'revoked']);
    assert.match(await rows.first().textContent(), /Members only/);
    assert.match(await rows.nth(1).textContent(), /Anyone with the link/);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-shares-light-desktop');

    await page.getByTestId('language-select').selectOption('zh-CN');
    await section.getByRole('heading', { name: '分享的链接' }).waitFor();
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-shares-zh-desktop');
    await page.getByTestId('language-select').selectOption('en');

    // Revoking from Settings ends the members-only link too.
    await rows.first().getByTestId('share-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await section.locator('[data-testid=share-row][data-status=revoked]').nth(1).waitFor();
    const guest = await visitor();
    await guest.goto(membersLink);
    await guest.getByTestId('share-not-found').waitFor();
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
