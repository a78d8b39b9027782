// End-to-end: the user's data and the data lifecycle against the real binary, with a short
// deletion grace period (LLMCHAT_AUTH__DELETION_GRACE) so that the admin sees the account come
// due. A user chats once, downloads all their data (a .zip), asks for their account's deletion
// (a wrong password first), sees the banner in Settings and in the chat, cancels, and asks
// again; the last admin cannot delete theirs; the admin sets a group's retention, sees the
// lifecycle's dry run on the System page and runs it, which deletes the account. On a server
// without a grace period, a deletion signs the user out at once.
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const USER = 'frida';
const GRACE_MS = 3000;
const T = { timeout: 90_000 };

describe('your data and the data lifecycle in Chromium', () => {
  let server;
  let browser;
  let page;
  let admin;
  let consolePage;
  let chat;
  const problems = [];

  const watch = (p) => {
    p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    p.on('console', (m) => {
      // Refused requests (the first refresh's 401, the wrong password's 401, the last admin's
      // 409, the refresh of a deleted account) are logged by Chromium; the tests check what
      // the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  };

  /** Opens "Delete my account", types the password and confirms; returns the dialog. */
  async function askDeletion(p, password) {
    await p.getByTestId('delete-account').click();
    const dialog = p.getByTestId('delete-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('delete-password').fill(password);
    await dialog.getByTestId('delete-confirm').click();
    return dialog;
  }

  before(async () => {
    server = await startServer({ env: { LLMCHAT_AUTH__DELETION_GRACE: `${GRACE_MS}ms` } });
    browser = await startBrowser();
    const options = { viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light', acceptDownloads: true };
    page = await (await browser.newContext(options)).newPage();
    admin = await (await browser.newContext(options)).newPage();
    watch(page);
    watch(admin);
    consolePage = new AdminConsole(admin, server.url);
    chat = new ChatPage(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a user registers and chats once', T, async () => {
    await new AuthPage(page, server.url).register(USER, PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('fast');
    await chat.send('Something worth keeping');
    await page.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    assert.equal(await page.getByTestId('deletion-banner').count(), 0);
  });

  test('“Download all my data” saves a .zip under the server’s name', T, async () => {
    await page.goto(`${server.url}/settings`);
    const section = page.getByTestId('settings-data');
    await section.getByRole('heading', { name: 'Your data' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), section.getByTestId('export-data').click()]);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(download.suggestedFilename(), `llmchat-export-${USER}-${today}.zip`);
    assert.match(download.suggestedFilename(), /\.zip$/);
    const path = await download.path();
    const file = await open(path);
    try {
      const { size } = await file.stat();
      assert.ok(size > 0, 'the archive is not empty');
      const head = Buffer.alloc(2);
      await file.read(head, 0, 2, 0);
      assert.equal(head.toString('latin1'), 'PK', 'a zip file');
    } finally {
      await file.close();
    }
    await section.getByTestId('export-message').filter({ hasText: `Downloaded llmchat-export-${USER}-${today}.zip` }).waitFor();
    assert.equal(await section.getByTestId('export-data').isDisabled(), false);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-data-light-desktop');
  });

  test('a wrong password is refused in the dialog, and the user stays signed in', T, async () => {
    const dialog = await askDeletion(page, 'not my password');
    await dialog.getByTestId('delete-error').filter({ hasText: 'Wrong password.' }).waitFor();
    await dialog.getByText('After a grace period (usually 7 days)', { exact: false }).waitFor();
    await screenshot(page, 'settings-delete-dialog-light-desktop');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Still signed in: the page works, and a reload keeps the session.
    await page.reload();
    await page.getByTestId('settings-data').waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), USER);
  });

  test('asking for the deletion shows the banner with the date, in Settings and in the chat; Cancel keeps the account', T, async () => {
    await askDeletion(page, PASSWORD);
    const banner = page.getByTestId('deletion-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Your account will be deleted on .+\./);
    const deleteAfter = Date.parse(await banner.getAttribute('data-delete-after'));
    assert.ok(Math.abs(deleteAfter - (Date.now() + GRACE_MS)) < 60_000, 'the date is the end of the grace period');
    assert.equal(await page.getByTestId('delete-account').isDisabled(), true);
    await banner.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-deletion-banner-light-desktop');

    // The chat says so too.
    await page.goto(server.url);
    await page.getByTestId('new-chat-screen').waitFor();
    await page.getByTestId('deletion-banner').waitFor();
    await screenshot(page, 'chat-deletion-banner-light-desktop');
    await page.getByTestId('deletion-cancel').click();
    await page.getByTestId('deletion-banner').waitFor({ state: 'detached' });

    // The server agrees: no banner after a reload.
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('settings-data').waitFor();
    // /api/auth/me has answered once the groups show.
    await page.getByTestId('settings-no-groups').waitFor();
    assert.equal(await page.getByTestId('deletion-banner').count(), 0);
    assert.equal(await page.getByTestId('delete-account').isDisabled(), false);
  });

  test('asked again, the deletion stays scheduled across a reload', T, async () => {
    await askDeletion(page, PASSWORD);
    await page.getByTestId('deletion-banner').waitFor();
    await page.reload();
    await page.getByTestId('deletion-banner').waitFor();
    await page.getByTestId('delete-already').waitFor();
  });

  test('in Chinese: the banner and the data section', T, async () => {
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByRole('heading', { name: '我的数据' }).waitFor();
    await page.getByTestId('deletion-banner').getByText('你的账号将于', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('deletion-cancel').textContent(), '取消删除');
    await page.getByTestId('deletion-banner').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-deletion-banner-zh-desktop');
    await page.getByTestId('settings-data').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-data-zh-desktop');
    await page.getByTestId('language-select').selectOption('en');
    await page.getByRole('heading', { name: 'Your data' }).waitFor();
  });

  test('the last admin cannot delete their account', T, async () => {
    await admin.goto(server.url);
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('new-chat-screen').waitFor();
    await admin.goto(`${server.url}/settings`);
    const dialog = await askDeletion(admin, ADMIN.password);
    await dialog.getByTestId('delete-error').filter({ hasText: 'You are the last administrator' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await admin.getByTestId('deletion-banner').count(), 0);
  });

  test('the admin gives a group a retention when creating it, and changes it on its page', T, async () => {
    await consolePage.open('groups');
    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('interns');
    await admin.getByTestId('group-retention-input').fill('30');
    await admin.getByTestId('group-create').click();
    await admin.locator('[data-testid=admin-group][data-group=interns]').waitFor();
    assert.equal(await admin.getByTestId('group-edit-retention').inputValue(), '30');

    // The user joins it.
    await admin.getByTestId('member-search').fill(USER);
    await admin.locator(`[data-testid=member-candidate][data-username=${USER}]`).getByTestId('member-add').click();
    await admin.locator(`[data-testid=member-row][data-username=${USER}]`).waitFor();

    await admin.getByTestId('group-edit-retention').fill('7');
    await admin.getByTestId('group-save').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Group interns saved.' }).waitFor();
    await admin.getByTestId('group-details').scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-group-retention-light-desktop');

    await consolePage.section('groups');
    const cell = consolePage.groupRow('interns').getByTestId('group-retention');
    await cell.filter({ hasText: 'Deleted after 7 days' }).waitFor();
    assert.equal(await cell.getAttribute('data-days'), '7');
  });

  test('the System page shows the dry run: the account is due, and the group’s retention', T, async () => {
    // Past the grace period.
    await new Promise((r) => setTimeout(r, GRACE_MS + 500));
    await consolePage.section('system');
    const section = admin.getByTestId('lifecycle');
    await section.getByTestId('lifecycle-preview').waitFor();
    await section.getByTestId('lifecycle-refresh').click();
    await admin.waitForFunction(() => document.querySelector('[data-testid=lifecycle-accounts]')?.textContent === '1');
    assert.equal(await section.getByTestId('lifecycle-conversations').textContent(), '0');
    assert.equal(await section.getByTestId('lifecycle-uploads').textContent(), '0');
    const group = section.locator('[data-testid=lifecycle-group][data-group=interns]');
    assert.equal(await group.getByTestId('lifecycle-group-retention').textContent(), '7 days');
    assert.equal(await group.getByTestId('lifecycle-group-due').textContent(), '0');
    await section.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-lifecycle-light-desktop');
  });

  test('in Chinese: the lifecycle and the retention field', T, async () => {
    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'zh-CN'));
    await admin.reload();
    const section = admin.getByTestId('lifecycle');
    await section.getByRole('heading', { name: '数据生命周期' }).waitFor();
    await section.getByTestId('lifecycle-preview').waitFor();
    await section.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-lifecycle-zh-desktop');
    await consolePage.section('groups');
    await consolePage.groupRow('interns').getByTestId('group-retention').filter({ hasText: '7 天后删除' }).waitFor();
    await admin.getByTestId('new-group').click();
    await admin.getByText('对话保留天数').waitFor();
    await screenshot(admin, 'admin-group-retention-zh-desktop');
    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'en'));
    await admin.reload();
    await admin.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
  });

  test('“Run now”, confirmed, deletes the account that came due; the user is signed out', T, async () => {
    await consolePage.section('system');
    const section = admin.getByTestId('lifecycle');
    await section.getByTestId('lifecycle-preview').waitFor();
    await section.getByTestId('lifecycle-run').click();
    await admin.getByTestId('confirm-dialog').getByText('Run the data lifecycle now?').waitFor();
    await admin.getByTestId('confirm-ok').click();
    const swept = section.getByTestId('lifecycle-swept');
    await swept.waitFor();
    assert.equal(await swept.getByTestId('swept-accounts').textContent(), '1');
    assert.equal(await swept.getByTestId('swept-conversations').textContent(), '0');
    assert.equal(await swept.getByTestId('swept-uploads').textContent(), '0');
    await section.getByTestId('admin-notice').filter({ hasText: 'The data lifecycle ran.' }).waitFor();
    await admin.waitForFunction(() => document.querySelector('[data-testid=lifecycle-accounts]')?.textContent === '0');
    await screenshot(admin, 'admin-lifecycle-ran-light-desktop');

    // The account is gone: its session with it, and its name no longer signs in.
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    await new AuthPage(page, server.url).login(USER, PASSWORD);
    await page.getByText('Wrong username or password.').waitFor();
    // The group lost its member.
    await consolePage.section('groups');
    await consolePage.groupRow('interns').getByTestId('group-members').filter({ hasText: '0' }).waitFor();
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});

describe('deleting an account at once (no grace period) in Chromium', () => {
  let server;
  let browser;
  let page;
  const problems = [];

  before(async () => {
    server = await startServer({ env: { LLMCHAT_AUTH__DELETION_GRACE: '0s' } });
    browser = await startBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' })).newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the user is signed out and lands on the sign-in page, which says why', T, async () => {
    await new AuthPage(page, server.url).register('gus', PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('delete-account').click();
    await page.getByTestId('delete-password').fill(PASSWORD);
    await page.getByTestId('delete-confirm').click();
    await page.getByTestId('login-form').waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByTestId('account-deleted').filter({ hasText: 'Your account and everything in it have been deleted.' }).waitFor();
    await screenshot(page, 'login-account-deleted-light-desktop');
    // Nothing to come back to: a reload stays signed out, and the name no longer signs in.
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    await new AuthPage(page, server.url).login('gus', PASSWORD);
    await page.getByText('Wrong username or password.').waitFor();
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
