// End-to-end: groups against the real binary, with the harness's demo agents (demo, fast,
// slow). The admin creates "engineering" and restricts `fast` to it; a user outside the group
// does not see `fast`; once the admin adds them, they see it and chat with it, and their
// settings list the group; an invitation with the group makes a new account that joins it;
// the group cannot be deleted while it is `fast`'s only group.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const USER = 'dana';
const INVITED = 'erin';
const T = { timeout: 90_000 };

describe('groups in Chromium', () => {
  let server;
  let browser;
  let admin;
  let user;
  let consolePage;
  let chat;
  const problems = [];

  const watch = (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Refused requests (the first refresh's 401, the 409 this test provokes) are logged by
      // Chromium; the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  };

  /** The agents in a user's picker (`user`'s unless said), as the chat shows them. */
  const pickerAgents = async (page = user) => {
    await page.getByTestId('agent-picker').click();
    await page.getByTestId('agent-option').first().waitFor();
    const ids = await page.getByTestId('agent-option').evaluateAll((options) => options.map((o) => o.getAttribute('data-agent')));
    await page.keyboard.press('Escape');
    return ids;
  };

  /** The agents the server lists for the user (GET /api/agents). */
  const listedAgents = () =>
    user.evaluate(async () => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      const list = await fetch('/api/agents', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      return list.items.map((a) => a.id);
    });

  before(async () => {
    server = await startServer();
    browser = await startBrowser();
    const options = { viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' };
    admin = await (await browser.newContext(options)).newPage();
    user = await (await browser.newContext(options)).newPage();
    watch(admin);
    watch(user);
    consolePage = new AdminConsole(admin, server.url);
    chat = new ChatPage(user, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a user registers and sees every demo agent', T, async () => {
    await new AuthPage(user, server.url).register(USER, PASSWORD);
    await user.getByTestId('new-chat-screen').waitFor();
    assert.deepEqual((await pickerAgents()).sort(), ['demo', 'fast', 'slow']);
  });

  test('the admin creates the group “engineering”; a taken name is refused on its field', T, async () => {
    await admin.goto(server.url);
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('admin-link').click();
    await admin.getByTestId('admin-dashboard').waitFor();
    await consolePage.section('groups');
    await admin.getByText('No groups yet', { exact: false }).waitFor();

    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('engineering');
    await admin.getByTestId('group-description').fill('The people who build things');
    await admin.getByTestId('group-create').click();
    await admin.locator('[data-testid=admin-group][data-group=engineering]').waitFor();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Group engineering created.' }).waitFor();
    await admin.getByTestId('group-no-members').waitFor();

    // The same name again: the server's 409 shows on the name field.
    await consolePage.section('groups');
    await consolePage.groupRow('engineering').waitFor();
    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('engineering');
    await admin.getByTestId('group-create').click();
    await admin.getByTestId('field-error').filter({ hasText: 'A group with this name already exists' }).waitFor();
    assert.equal(await admin.getByTestId('group-name').getAttribute('aria-invalid'), 'true');
    await screenshot(admin, 'admin-groups-light-desktop');
  });

  test('the admin restricts the agent “fast” to engineering', T, async () => {
    await consolePage.section('agents');
    await consolePage.agentRow('fast').waitFor();
    assert.equal(await consolePage.agentRow('fast').getByTestId('agent-access').textContent(), 'Everyone');
    await consolePage.agentRow('fast').getByTestId('agent-access-edit').click();
    await admin.getByTestId('access-dialog').waitFor();
    await screenshot(admin, 'admin-agent-access-light-desktop');
    await admin.getByTestId('access-dialog').getByRole('button', { name: 'Cancel' }).click();
    await consolePage.setAgentAccess('fast', ['engineering']);
    await admin.getByTestId('admin-notice').filter({ hasText: 'Fast demo is available only to: engineering.' }).waitFor();
    assert.equal(await consolePage.agentRow('fast').getByTestId('agent-access').textContent(), 'engineering');
    assert.equal(await consolePage.agentRow('demo').getByTestId('agent-access').textContent(), 'Everyone');

    // The groups list names the agent too.
    await consolePage.section('groups');
    await consolePage.groupRow('engineering').getByTestId('group-agents').getByText('Fast demo').waitFor();
  });

  test('the user, in no group, no longer sees “fast”, and their settings say so', T, async () => {
    await user.reload();
    await user.getByTestId('new-chat-screen').waitFor();
    assert.deepEqual((await pickerAgents()).sort(), ['demo', 'slow']);
    assert.ok(!(await listedAgents()).includes('fast'), 'the server does not list it either');
    await user.goto(`${server.url}/settings`);
    await user.getByTestId('settings-no-groups').filter({ hasText: 'You are in no groups.' }).waitFor();
  });

  test('the admin adds the user to engineering: after a reload they see “fast” and chat with it', T, async () => {
    await consolePage.groupRow('engineering').getByTestId('group-link').click();
    await admin.locator('[data-testid=admin-group][data-group=engineering]').waitFor();
    await admin.getByTestId('group-agent').filter({ hasText: 'Fast demo' }).waitFor();
    await admin.getByTestId('member-search').fill(USER.slice(0, 3));
    const candidate = admin.locator(`[data-testid=member-candidate][data-username=${USER}]`);
    await candidate.getByTestId('member-add').click();
    await admin.locator(`[data-testid=member-row][data-username=${USER}]`).waitFor();
    await admin.getByTestId('admin-notice').filter({ hasText: `${USER} was added to the group.` }).waitFor();
    await candidate.getByTestId('member-already').waitFor();
    await screenshot(admin, 'admin-group-light-desktop');

    await user.goto(server.url);
    await user.getByTestId('new-chat-screen').waitFor();
    assert.deepEqual((await pickerAgents()).sort(), ['demo', 'fast', 'slow']);
    await chat.pickAgent('fast');
    await chat.send('Hello from engineering');
    await user.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');

    await user.goto(`${server.url}/settings`);
    // The section shows before /api/auth/me answers: wait for the group itself.
    await user.getByTestId('settings-group').first().waitFor();
    assert.deepEqual(await user.getByTestId('settings-group').allTextContents(), ['engineering']);
    await screenshot(user, 'settings-groups-light-desktop');
  });

  test('an invitation with engineering makes an account in engineering, which sees “fast”', T, async () => {
    await consolePage.section('system');
    const registration = admin.getByTestId('registration-settings');
    await registration.locator('[data-testid=registration-current]').waitFor();
    if ((await registration.getAttribute('data-mode')) !== 'invite') await consolePage.setRegistration('invite');

    const link = await consolePage.createInvitation({ note: `for ${INVITED}`, groups: ['engineering'] });
    assert.match(link, /\/register\?invite=.+/);
    await admin.getByTestId('invitation-created-groups').filter({ hasText: 'The account joins: engineering.' }).waitFor();
    const row = admin.getByTestId('invitation-row').filter({ hasText: `for ${INVITED}` });
    await row.getByText('Pending').waitFor();
    assert.deepEqual(await row.getByTestId('invitation-group-name').allTextContents(), ['engineering']);
    await screenshot(admin, 'admin-invitation-groups-light-desktop');

    // A stranger opens the link in their own browser and registers.
    const invited = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' })).newPage();
    watch(invited);
    await invited.goto(link);
    assert.equal(await invited.getByTestId('register-invite').inputValue(), new URL(link).searchParams.get('invite'));
    await new AuthPage(invited, server.url).fillRegister(INVITED, PASSWORD);
    await invited.getByTestId('new-chat-screen').waitFor();
    assert.equal(await invited.getByTestId('current-user').textContent(), INVITED);
    assert.deepEqual((await pickerAgents(invited)).sort(), ['demo', 'fast', 'slow']);

    await invited.goto(`${server.url}/settings`);
    await invited.getByTestId('settings-groups').waitFor();
    await invited.getByTestId('settings-group').first().waitFor();
    assert.deepEqual(await invited.getByTestId('settings-group').allTextContents(), ['engineering']);

    // The invitation is used, and the group lists the new member as joined by invitation.
    await admin.reload();
    await row.getByText('Used').waitFor();
    await consolePage.section('groups');
    await consolePage.groupRow('engineering').getByTestId('group-link').click();
    const member = admin.locator(`[data-testid=member-row][data-username=${INVITED}]`);
    await member.waitFor();
    await member.getByText('Invitation').waitFor();
    await admin.locator(`[data-testid=member-row][data-username=${USER}]`).waitFor();
  });

  test('deleting the group is refused while it is the only group of “fast”', T, async () => {
    await admin.getByTestId('group-delete').click();
    await admin.getByTestId('confirm-dialog').getByText('Delete group engineering?').waitFor();
    await admin.getByTestId('confirm-ok').click();
    const notice = admin.getByTestId('admin-notice').filter({ hasText: 'The group was not deleted:' });
    await notice.waitFor();
    assert.match(await notice.textContent(), /only this group may use the agent\(s\) fast/);
    await screenshot(admin, 'admin-group-delete-refused-light-desktop');
    // Still there, with its member.
    await admin.reload();
    await admin.locator(`[data-testid=member-row][data-username=${USER}]`).waitFor();
  });

  test('once “fast” is open to everyone again, the group can be deleted', T, async () => {
    await consolePage.section('agents');
    await consolePage.setAgentAccess('fast', []);
    await admin.getByTestId('admin-notice').filter({ hasText: 'Fast demo is available to everyone.' }).waitFor();
    await consolePage.section('groups');
    await consolePage.groupRow('engineering').getByTestId('group-link').click();
    await admin.getByTestId('group-no-agents').waitFor();
    await admin.getByTestId('group-delete').click();
    await admin.getByTestId('confirm-ok').click();
    await admin.getByTestId('admin-groups').waitFor();
    await admin.getByTestId('admin-notice').filter({ hasText: 'Group engineering was deleted.' }).waitFor();
    assert.equal(await consolePage.groupRow('engineering').count(), 0);

    await user.reload();
    await user.getByTestId('settings-no-groups').waitFor();
    assert.ok((await listedAgents()).includes('fast'));
  });

  test('screenshots: the groups pages in Chinese', T, async () => {
    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'zh-CN'));
    await consolePage.open('groups');
    await admin.getByRole('heading', { name: '用户组', exact: true }).waitFor();
    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('研发部');
    await admin.getByTestId('group-create').click();
    await admin.locator('[data-testid=admin-group][data-group="研发部"]').waitFor();
    await admin.getByText('还没有成员。').waitFor();
    await screenshot(admin, 'admin-group-zh-light-desktop');
    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'en'));
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
