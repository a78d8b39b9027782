// End-to-end: a fresh install (no account at all, development) against the real binary. The
// first account registered becomes the admin; the admin closes registration, then switches to
// invitations and an invitation link registers a user; an agent whose upstream is dead is saved
// disabled with a readable failure, then enabled anyway; the audit log names who did what.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, screenshot, startBrowser, startServer } from './harness.mjs';
import { AdminConsole, AuthPage } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const T = { timeout: 90_000 };

describe('a fresh install in Chromium', () => {
  let server;
  let browser;
  let admin;
  let visitor;
  let visitorContext;
  let consolePage;
  const problems = [];

  const watch = (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Refused requests (the first refresh's 401, a closed registration's 403) are logged by
      // Chromium; the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  };

  before(async () => {
    server = await startServer({ admin: false });
    browser = await startBrowser();
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    admin = await adminContext.newPage();
    watch(admin);
    consolePage = new AdminConsole(admin, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A new anonymous browser (no cookies): what a visitor sees. */
  async function freshVisitor() {
    await visitorContext?.close();
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    visitor = await visitorContext.newPage();
    watch(visitor);
    return visitor;
  }

  test('the sign-in page invites creating the first account, which administers the server', T, async () => {
    await admin.goto(server.url);
    await admin.getByTestId('first-run').waitFor();
    assert.equal(await admin.getByRole('heading', { name: 'Welcome back' }).count(), 0);
    await screenshot(admin, 'first-run-light-desktop');
    await admin.getByTestId('first-account-link').click();
    await admin.getByTestId('first-account-admin').getByText('The first account administers this server').waitFor();
    await screenshot(admin, 'first-run-register-light-desktop');
    await new AuthPage(admin, server.url).fillRegister('root', PASSWORD);
    await admin.getByTestId('new-chat-screen').waitFor();
    // It is the admin: the console is there.
    await admin.getByTestId('admin-link').click();
    await admin.getByTestId('admin-dashboard').waitFor();
  });

  test('closing registration in the console takes effect at once', T, async () => {
    await consolePage.section('system');
    const settings = admin.getByTestId('registration-settings');
    await settings.getByText('From the configuration.').waitFor();
    assert.equal(await settings.getAttribute('data-mode'), 'open');
    await consolePage.setRegistration('closed');
    await admin.getByTestId('registration-current').getByText('Set in this console').waitFor();
    await screenshot(admin, 'admin-registration-light-desktop');

    const page = await freshVisitor();
    await page.goto(`${server.url}/login`);
    await page.getByTestId('registration-closed').waitFor();
    assert.equal(await page.getByTestId('register-link').count(), 0);
    await page.goto(`${server.url}/register`);
    await page.getByTestId('registration-closed').waitFor();
    assert.equal(await page.getByTestId('register-form').count(), 0);
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByTestId('registration-closed').getByText('这台服务器已关闭注册').waitFor();
    await screenshot(page, 'register-closed-zh');
    await page.getByTestId('language-select').selectOption('en');
    // The server refuses too.
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/auth/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'sneaky', password: 'a long enough passphrase' }),
      });
      return response.status;
    });
    assert.equal(status, 403);
  });

  test('an invitation link registers a user; a missing code is refused on its field', T, async () => {
    await consolePage.setRegistration('invite');
    const link = await consolePage.createInvitation({ role: 'user', days: '3', note: 'for ivy' });
    assert.match(link, /\/register\?invite=.+/);
    await admin.getByTestId('invitation-row').filter({ hasText: 'for ivy' }).getByText('Pending').waitFor();
    await screenshot(admin, 'admin-invitations-light-desktop');

    const page = await freshVisitor();
    const auth = new AuthPage(page, server.url);
    await page.goto(`${server.url}/register`);
    await page.getByTestId('register-invite').waitFor();
    await auth.fillRegister('nocode', PASSWORD, { invite: 'not-a-real-code' });
    await page.getByTestId('register-invite-error').waitFor();
    assert.equal(await page.getByTestId('register-error').count(), 0, 'the refusal is on the field, not under the form');

    await page.goto(link);
    assert.equal(await page.getByTestId('register-invite').inputValue(), new URL(link).searchParams.get('invite'));
    await auth.fillRegister('ivy', PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), 'ivy');
    assert.equal(await page.getByTestId('admin-link').count(), 0, 'the invitation made a user, not an admin');

    await admin.reload();
    await admin.getByTestId('invitation-row').filter({ hasText: 'for ivy' }).getByText('Used').waitFor();
    // The link works once.
    const again = await freshVisitor();
    await again.goto(link);
    await new AuthPage(again, server.url).fillRegister('ivy2', PASSWORD);
    await again.getByTestId('register-invite-error').waitFor();
  });

  test('an agent whose upstream is dead is saved disabled, with a readable failure; Enable anyway enables it', T, async () => {
    const dead = await freePort();
    const baseUrl = `http://127.0.0.1:${dead}/v1`;
    await consolePage.open('agents/new');
    await admin.getByTestId('agent-editor').waitFor();
    await consolePage.fillOpenAiAgent({ id: 'dead', name: 'Dead upstream', baseUrl, apiKey: 'sk-nothing', model: 'gpt-4o' });
    // Listing the models fails with the server's sentence, naming the URL.
    await admin.getByTestId('list-models').click();
    const listError = await admin.getByTestId('models-error').textContent();
    assert.match(listError, new RegExp(`127\\.0\\.0\\.1:${dead}`));

    await admin.getByTestId('agent-save').click();
    const result = admin.getByTestId('save-test-result');
    await result.waitFor();
    assert.match(await result.textContent(), /Dead upstream was saved, but disabled/);
    assert.match(await admin.getByTestId('save-test-message').textContent(), new RegExp(`127\\.0\\.0\\.1:${dead}`));
    await screenshot(admin, 'admin-agent-saved-disabled-light-desktop');
    const stored = await admin.evaluate(async () => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      return fetch('/api/admin/agents/dead', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    });
    assert.equal(stored.enabled, false);

    await admin.getByTestId('enable-anyway').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Dead upstream was saved and enabled' }).waitFor();
    await consolePage.agentRow('dead').getByText('Enabled').waitFor();
  });

  test('the audit log names the actors and targets', T, async () => {
    await consolePage.open('audit?action=admin.settings_update');
    await admin.getByTestId('audit-row').first().waitFor();
    const actors = await admin.getByTestId('audit-actor-cell').allTextContents();
    assert.ok(actors.length >= 2 && actors.every((a) => a === 'root'), `actors: ${actors}`);
    await screenshot(admin, 'admin-audit-names-light-desktop');
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
