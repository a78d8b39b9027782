// End-to-end: the "Done when", in one scenario against the real binary and a REAL
// OpenID provider (tests/oidc/provider.mjs). A new organisation connects its provider
// (`auth.oidc`, groups from the `groups` claim, `eng` → engineering); the admin (password)
// creates the group "engineering", gives it a budget on its page (a few tokens per day: one
// demo answer uses it up), restricts the agent `fast` to it, and keeps the price table. Mia,
// unknown to the server, signs in through the provider, chats with `fast` (a complete answer),
// shares the answer (the link opens in another browser), and then hits the budget: her next
// message is refused and the chat says so, with a link to her budgets; her usage page shows
// the group's budget with nothing left (and the server's quota, and her own budget once the
// admin sets one on the Users page). Screenshots in light desktop, one set in Chinese.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startOidcProvider, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const T = { timeout: 90_000 };
const SECRET = 's3cret';
const MIA = { preferred_username: 'mia', email: 'mia@corp.example', email_verified: true, name: 'Mia', groups: ['eng'] };
/** Tokens per day for engineering: less than one demo answer (a few hundred tokens). */
const GROUP_TOKENS = 100;
const QUESTION = 'What should our team build next?';

const settings = (issuer) => `auth:
  oidc:
    - id: corp
      name: Corp SSO
      issuer: ${issuer}
      client_id: llmchat
      client_secret: ${SECRET}
      scopes: [openid, email, profile, groups]
      groups_claim: groups
      group_map: { eng: engineering }
chat:
  daily_token_quota: 1000000
`;

describe('Done when: an organisation’s provider, a group with a budget, a member who chats, shares and hits the budget', () => {
  let idp;
  let server;
  let browser;
  let admin;
  let consolePage;
  let mia;
  let chat;
  let answer;
  const contexts = [];
  const problems = [];
  const options = { viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' };

  const watch = (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Refused requests (the first refresh's 401 when signed out, the 429 this test is
      // about) are logged by Chromium; the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  };

  /** A fresh browser (no cookies: neither the app's nor the provider's). */
  const newPage = async (extra = {}) => {
    const context = await browser.newContext({ ...options, ...extra });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    watch(page);
    return page;
  };

  /** Clicks Corp SSO on the sign-in page and signs in at the provider as Mia. */
  const signInAsMia = async (page) => {
    await page.locator('[data-testid=sso-button][data-provider=corp]').click();
    await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
    await page.getByTestId('idp-login').fill('mia');
    await page.getByTestId('idp-submit').click();
  };

  before(async () => {
    idp = await startOidcProvider();
    server = await startServer({ settings: settings(idp.issuer) });
    await idp.client('llmchat', SECRET, [`${server.url}/api/auth/oidc/corp/callback`]);
    await idp.user('mia', MIA);
    browser = await startBrowser();
    admin = await newPage();
    consolePage = new AdminConsole(admin, server.url);
    mia = await newPage();
    chat = new ChatPage(mia, server.url);
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await idp?.stop();
  });

  test('the organisation’s provider is connected: the sign-in page offers it', T, async () => {
    const info = await fetch(`${server.url}/api/auth/registration`).then((r) => r.json());
    assert.deepEqual(info.providers, [{ id: 'corp', name: 'Corp SSO' }]);
    await admin.goto(`${server.url}/login`);
    assert.equal(await admin.locator('[data-testid=sso-button][data-provider=corp]').textContent(), 'Sign in with Corp SSO');
  });

  test('the admin (password) creates “engineering” and gives it a budget on its page', T, async () => {
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('admin-link').click();
    await admin.getByTestId('admin-dashboard').waitFor();
    await consolePage.section('groups');
    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('engineering');
    await admin.getByTestId('group-create').click();
    await admin.locator('[data-testid=admin-group][data-group=engineering]').waitFor();

    const block = admin.getByTestId('group-budget');
    await block.getByTestId('budget-form').waitFor();
    assert.match(await block.textContent(), /Shared by all members together/);
    assert.equal(await block.getByTestId('budget-form').getAttribute('data-budget'), 'none');
    assert.equal(await block.getByTestId('budget-state').textContent(), 'No budget yet: no limit.');
    await block.getByLabel('Cost per month (USD)').waitFor();
    // Not a whole number of tokens: refused here, nothing sent.
    await consolePage.saveBudget(block, { tokens: '1.5' });
    await block.getByTestId('field-error').filter({ hasText: 'Enter a whole number of tokens, 1 or more, or leave it empty.' }).waitFor();
    await consolePage.saveBudget(block, { tokens: GROUP_TOKENS });
    await block.getByTestId('budget-status').filter({ hasText: 'Budget saved.' }).waitFor();
    assert.equal(await block.getByTestId('budget-form').getAttribute('data-budget'), 'set');

    // The server has it: the page loads it again.
    await admin.reload();
    await block.getByTestId('budget-form').waitFor();
    assert.equal(await block.getByTestId('budget-tokens').inputValue(), String(GROUP_TOKENS));
    assert.equal(await block.getByTestId('budget-cost').inputValue(), '');
    await block.scrollIntoViewIfNeeded();
    await screenshot(admin, 'admin-group-budget-light-desktop');
  });

  test('the admin restricts the agent “fast” to engineering', T, async () => {
    await consolePage.section('agents');
    await consolePage.agentRow('fast').waitFor();
    await consolePage.setAgentAccess('fast', ['engineering']);
    assert.equal(await consolePage.agentRow('fast').getByTestId('agent-access').textContent(), 'engineering');
  });

  test('the admin keeps the price table: adds a price, edits it, sees it listed, deletes it', T, async () => {
    await consolePage.section('prices');
    const section = admin.getByTestId('admin-prices');
    assert.equal(await section.getByTestId('prices-currency').textContent(), 'USD');
    await section.getByTestId('prices-none').waitFor();

    await section.getByTestId('price-model').fill('gpt-4o-mini');
    await section.getByTestId('price-input-field').fill('0.15');
    await section.getByTestId('price-output-field').fill('0.6');
    await section.getByTestId('price-save').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'The price of gpt-4o-mini is saved.' }).waitFor();
    const row = section.locator('[data-testid=price-row][data-model="gpt-4o-mini"]');
    assert.equal(await row.getByTestId('price-input').textContent(), '$0.15');
    assert.equal(await row.getByTestId('price-output').textContent(), '$0.60');

    // A negative price is refused on its field before anything is sent.
    await section.getByTestId('price-model').fill('claude-sonnet');
    await section.getByTestId('price-input-field').fill('-3');
    await section.getByTestId('price-output-field').fill('15');
    await section.getByTestId('price-save').click();
    await section.getByTestId('field-error').filter({ hasText: 'Enter an amount from 0 to 1,000,000,000.' }).waitFor();
    assert.equal(await section.getByTestId('price-input-field').getAttribute('aria-invalid'), 'true');
    await section.getByTestId('price-input-field').fill('3');
    await section.getByTestId('price-save').click();
    await section.locator('[data-testid=price-row][data-model="claude-sonnet"]').waitFor();

    // Edit: the model stays, the amounts change.
    await row.getByTestId('price-edit').click();
    const form = section.getByTestId('price-form');
    await section.locator('[data-testid=price-form][data-editing="gpt-4o-mini"]').waitFor();
    assert.equal(await form.getByTestId('price-model').getAttribute('readonly'), '');
    assert.equal(await form.getByTestId('price-input-field').inputValue(), '0.15');
    await form.getByTestId('price-output-field').fill('0.8');
    await form.getByTestId('price-save').click();
    await row.getByTestId('price-output').filter({ hasText: '$0.80' }).waitFor();

    // Listed as the server has them, after a reload.
    await admin.reload();
    await section.getByTestId('prices-table').waitFor();
    await row.waitFor();
    assert.deepEqual(await section.getByTestId('price-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model'))), [
      'claude-sonnet',
      'gpt-4o-mini',
    ]);
    assert.equal(await row.getByTestId('price-input').textContent(), '$0.15');
    assert.equal(await row.getByTestId('price-output').textContent(), '$0.80');
    await screenshot(admin, 'admin-prices-light-desktop');

    // Delete, after a confirmation.
    await section.locator('[data-testid=price-row][data-model="claude-sonnet"]').getByTestId('price-delete').click();
    await admin.getByTestId('confirm-dialog').getByText('Delete the price of claude-sonnet?').waitFor();
    await admin.getByTestId('confirm-ok').click();
    await admin.getByTestId('admin-notice').filter({ hasText: 'The price of claude-sonnet was deleted.' }).waitFor();
    await section.locator('[data-testid=price-row][data-model="claude-sonnet"]').waitFor({ state: 'detached' });
    await row.getByTestId('price-delete').click();
    await admin.getByTestId('confirm-ok').click();
    await section.getByTestId('prices-none').waitFor();
    const listed = await admin.evaluate(async () => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      return fetch('/api/admin/prices', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    });
    assert.deepEqual(listed, { currency: 'USD', items: [] });
  });

  test('Mia signs in through the provider and lands in the app, in engineering, with “fast”', T, async () => {
    await mia.goto(`${server.url}/login`);
    await signInAsMia(mia);
    await mia.getByTestId('new-chat-screen').waitFor();
    assert.equal(new URL(mia.url()).origin, server.url);
    assert.equal(await mia.getByTestId('current-user').textContent(), 'mia');
    await mia.getByTestId('agent-picker').click();
    await mia.locator('[data-testid=agent-option][data-agent=fast]').waitFor();
    await mia.keyboard.press('Escape');
  });

  test('Mia chats with “fast”: a complete answer', T, async () => {
    await chat.pickAgent('fast');
    await chat.send(QUESTION);
    await mia.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    answer = ((await chat.lastAssistant().locator('.markdown').textContent()) ?? '').trim();
    assert.ok(answer.length > 20);
  });

  test('Mia shares the answer: the link shows it in another browser', T, async () => {
    await mia.getByTestId('share-open').click();
    const dialog = mia.getByTestId('share-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('share-expiry').selectOption('never');
    await dialog.getByTestId('share-create').click();
    await dialog.getByTestId('share-link').first().waitFor();
    const link = await dialog.getByTestId('share-url').textContent();
    assert.match(link, new RegExp(`^${server.url}/share/[A-Za-z0-9_-]+$`));
    await dialog.getByTestId('share-close').click();
    await dialog.waitFor({ state: 'detached' });

    const guest = await newPage();
    await guest.goto(link);
    await guest.getByTestId('share-page').waitFor();
    assert.match(await guest.getByTestId('share-by').textContent(), /^Shared by mia on /);
    assert.equal((await guest.getByTestId('shared-user').textContent()).trim(), QUESTION);
    assert.equal((await guest.getByTestId('shared-assistant').locator('.markdown').textContent()).trim(), answer);
  });

  test('Mia’s next message is refused: the chat says the group’s budget is used up, and links to her budgets', T, async () => {
    const before = await chat.assistants().count();
    await chat.send('One more question');
    const banner = mia.getByTestId('chat-error');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await banner.getAttribute('data-code'), 'budget_exceeded');
    const text = await banner.textContent();
    assert.match(
      text,
      new RegExp(
        `^A budget is used up: Group “engineering”, Tokens per day: [\\d,]+ tokens of ${GROUP_TOKENS} tokens used\\. It renews in \\d+ (s|min|h)\\.See your budgets×$`,
      ),
    );
    assert.equal(await banner.getByTestId('chat-error-budgets').getAttribute('href'), '/usage');
    // Nothing was accepted: no new answer, and the question is still in the box.
    assert.equal(await chat.assistants().count(), before);
    assert.equal(await chat.composer().inputValue(), 'One more question');
    await screenshot(mia, 'chat-budget-exceeded-light-desktop');
  });

  test('the admin gives Mia a budget of her own on the Users page', T, async () => {
    await consolePage.section('users');
    const row = admin.locator('[data-testid=user-row][data-username=mia]');
    await row.getByTestId('user-budget-open').click();
    const dialog = admin.getByTestId('user-budget');
    await dialog.getByTestId('budget-form').waitFor();
    assert.equal(await dialog.locator('h2').textContent(), 'Budget of mia');
    assert.equal(await dialog.getByTestId('budget-tokens').inputValue(), '');
    await dialog.getByTestId('budget-cost').fill('5');
    await screenshot(admin, 'admin-user-budget-light-desktop');
    await dialog.getByTestId('budget-save').click();
    await dialog.waitFor({ state: 'detached' });
    await admin.getByTestId('admin-notice').filter({ hasText: 'The budget of mia is saved.' }).waitFor();
    // Open again: the dialog shows what is stored.
    await row.getByTestId('user-budget-open').click();
    await dialog.getByTestId('budget-form').waitFor();
    assert.equal(await dialog.getByTestId('budget-cost').inputValue(), '5');
    await dialog.getByTestId('user-budget-close').click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('Mia’s usage page shows the group’s budget with nothing left, the server’s quota and her own budget', T, async () => {
    await mia.getByTestId('chat-error-budgets').click();
    await mia.waitForURL(`${server.url}/usage`);
    const section = mia.getByTestId('my-budgets');
    await section.waitFor();
    assert.equal(await section.locator('h2').textContent(), 'Your budgets');
    const items = await section.getByTestId('my-budget').evaluateAll((all) => all.map((i) => `${i.dataset.scope}:${i.dataset.kind}`));
    assert.deepEqual(items, ['server:tokens_per_day', 'user:cost_per_month', 'group:tokens_per_day']);

    const group = section.locator('[data-testid=my-budget][data-scope=group][data-kind=tokens_per_day]');
    assert.equal(await group.locator('h3').textContent(), 'Group “engineering” · Tokens per day');
    assert.match(await group.textContent(), /Shared by all members of engineering together\./);
    assert.equal(await group.getByTestId('my-budget-remaining').textContent(), '0 tokens left');
    assert.equal(await group.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    assert.match(await group.getByTestId('my-budget-used').textContent(), new RegExp(`^[\\d,]+ tokens of ${GROUP_TOKENS} tokens used$`));
    await group.getByTestId('my-budget-used-up').waitFor();
    // Renews at midnight UTC, shown in local time.
    assert.match(await group.getByTestId('my-budget-resets').textContent(), /^Renews [A-Z][a-z]{2} \d{1,2}, \d{4}/);

    const quota = section.locator('[data-testid=my-budget][data-scope=server]');
    assert.equal(await quota.locator('h3').textContent(), 'Everyone’s daily quota · Tokens per day');
    assert.match(await quota.getByTestId('my-budget-used').textContent(), /^[\d,]+ tokens of 1,000,000 tokens used$/);
    assert.equal(await quota.getByRole('progressbar').getAttribute('aria-valuenow'), '0');

    const own = section.locator('[data-testid=my-budget][data-scope=user]');
    assert.equal(await own.locator('h3').textContent(), 'Your own budget · Cost per month');
    assert.equal(await own.getByTestId('my-budget-used').textContent(), '$0.00 of $5.00 used');
    assert.equal(await own.getByTestId('my-budget-remaining').textContent(), '$5.00 left');
    await screenshot(mia, 'usage-budgets-light-desktop');
    // On a phone, nothing is wider than the screen.
    await mia.setViewportSize({ width: 390, height: 844 });
    await section.scrollIntoViewIfNeeded();
    await screenshot(mia, 'usage-budgets-light-phone');
    const overflow = await mia.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, 'nothing wider than a phone');
    await mia.setViewportSize(options.viewport);
  });

  test('screenshots: her usage page in Chinese', T, async () => {
    const zh = await newPage({ locale: 'zh-CN' });
    await zh.goto(`${server.url}/usage`);
    await zh.waitForURL(`${server.url}/login?next=%2Fusage`);
    await signInAsMia(zh);
    await zh.waitForURL(`${server.url}/usage`);
    const section = zh.getByTestId('my-budgets');
    await section.waitFor();
    assert.equal(await section.locator('h2').textContent(), '你的预算');
    const group = section.locator('[data-testid=my-budget][data-scope=group]');
    assert.equal(await group.locator('h3').textContent(), '用户组“engineering” · 每日 token');
    assert.equal(await group.getByTestId('my-budget-remaining').textContent(), '剩余 0 个 token');
    await group.getByText('已用完', { exact: true }).waitFor();
    assert.equal(await section.locator('[data-testid=my-budget][data-scope=server] h3').textContent(), '所有人的每日额度 · 每日 token');
    await screenshot(zh, 'usage-budgets-zh-light-desktop');
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
