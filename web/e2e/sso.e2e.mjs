// End-to-end: single sign-on through a REAL OpenID provider (tests/oidc/provider.mjs, the
// certified `oidc-provider` package on loopback) against the real binary. Two providers are
// configured on that one IdP: "Corp SSO" (new accounts allowed, groups from the `groups`
// claim, `eng` → engineering) and "Contractor SSO" (existing accounts only). The admin makes
// the group "engineering" and restricts the agent `fast` to it; Mia, unknown to the server,
// signs in with Corp SSO: she lands in the app signed in, in engineering, sees `fast` and
// chats with it; her settings show the identity and no password change. A deep link comes
// back after signing in (`return_to`); a refused sign-in (`no_account`) and a used sign-in
// link (`state_unknown`) are explained on the sign-in page, in English and Chinese. Then a
// second server, without passwords, on a fresh install.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startOidcProvider, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const T = { timeout: 90_000 };
const SECRET = 's3cret';
const MIA = { preferred_username: 'mia', email: 'mia@corp.example', email_verified: true, name: 'Mia', groups: ['eng'] };
const NOBODY = { preferred_username: 'nobody', email: 'nobody@corp.example', email_verified: true, name: 'No Body', groups: [] };

/** The server's settings: Corp SSO, and Contractor SSO (existing accounts only) unless `sole`. */
const settings = (issuer, { sole = false, passwordLogin = true } = {}) => `auth:
  password_login: ${passwordLogin}
  oidc:
    - id: corp
      name: Corp SSO
      issuer: ${issuer}
      client_id: llmchat
      client_secret: ${SECRET}
      scopes: [openid, email, profile, groups]
      groups_claim: groups
      group_map: { eng: engineering }
${
  sole
    ? ''
    : `    - id: contractors
      name: Contractor SSO
      issuer: ${issuer}
      client_id: llmchat-contractors
      client_secret: ${SECRET}
      new_accounts: none
`
}`;

describe('single sign-on in Chromium', () => {
  let idp;
  let server;
  let browser;
  let admin;
  let mia;
  let chat;
  const contexts = [];
  const problems = [];
  const options = { viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' };

  const watch = (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // Refused requests (the first refresh's 401 when signed out, the wrong username this
      // test types) are logged by Chromium; the tests check what the user sees instead.
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

  /** The agents in the page's picker, as the chat shows them. */
  const pickerAgents = async (page) => {
    await page.getByTestId('agent-picker').click();
    await page.getByTestId('agent-option').first().waitFor();
    const ids = await page.getByTestId('agent-option').evaluateAll((list) => list.map((o) => o.getAttribute('data-agent')));
    await page.keyboard.press('Escape');
    return ids;
  };

  /** Clicks a provider's button on the sign-in page and signs in at the IdP as `sub`. */
  const signInAtIdp = async (page, provider, sub) => {
    await page.locator(`[data-testid=sso-button][data-provider=${provider}]`).click();
    await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'));
    assert.equal(await page.title(), 'Test IdP — sign in');
    await page.getByTestId('idp-login').fill(sub);
    await page.getByTestId('idp-submit').click();
  };

  before(async () => {
    idp = await startOidcProvider();
    server = await startServer({ settings: settings(idp.issuer) });
    // The redirect URIs carry the server's port, known only now.
    await idp.client('llmchat', SECRET, [`${server.url}/api/auth/oidc/corp/callback`]);
    await idp.client('llmchat-contractors', SECRET, [`${server.url}/api/auth/oidc/contractors/callback`]);
    await idp.user('mia', MIA);
    await idp.user('nobody', NOBODY);
    browser = await startBrowser();
    admin = await newPage();
    mia = await newPage();
    chat = new ChatPage(mia, server.url);
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    await idp?.stop();
  });

  test('the server lists both providers; passwords still work', T, async () => {
    const info = await fetch(`${server.url}/api/auth/registration`).then((r) => r.json());
    assert.equal(info.password_login, true);
    assert.deepEqual(info.providers, [
      { id: 'corp', name: 'Corp SSO' },
      { id: 'contractors', name: 'Contractor SSO' },
    ]);
  });

  test('the admin (password) creates “engineering” and restricts “fast” to it', T, async () => {
    await admin.goto(`${server.url}/login`);
    await admin.getByTestId('sso-buttons').waitFor();
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('admin-link').click();
    await admin.getByTestId('admin-dashboard').waitFor();
    const consolePage = new AdminConsole(admin, server.url);
    await consolePage.section('groups');
    await admin.getByTestId('new-group').click();
    await admin.getByTestId('group-name').fill('engineering');
    await admin.getByTestId('group-create').click();
    await admin.locator('[data-testid=admin-group][data-group=engineering]').waitFor();

    await consolePage.section('agents');
    await consolePage.agentRow('fast').waitFor();
    await consolePage.setAgentAccess('fast', ['engineering']);
    assert.equal(await consolePage.agentRow('fast').getByTestId('agent-access').textContent(), 'engineering');
  });

  test('Mia signs in with Corp SSO at the provider and lands in the app, with “fast”', T, async () => {
    await mia.goto(`${server.url}/login`);
    const button = mia.locator('[data-testid=sso-button][data-provider=corp]');
    assert.equal(await button.textContent(), 'Sign in with Corp SSO');
    assert.equal(await button.getAttribute('href'), '/api/auth/oidc/corp/start');
    // Under the password form, which works on this server.
    await mia.getByTestId('login-form').waitFor();
    await screenshot(mia, 'login-sso-light-desktop');

    await signInAtIdp(mia, 'corp', 'mia');
    // Back in the app, signed in through the refresh cookie the callback set.
    await mia.getByTestId('new-chat-screen').waitFor();
    assert.equal(new URL(mia.url()).origin, server.url);
    assert.equal(new URL(mia.url()).pathname, '/');
    assert.equal(await mia.getByTestId('current-user').textContent(), 'mia');
    // Her groups came from the `groups` claim (eng → engineering): `fast` is offered.
    assert.deepEqual((await pickerAgents(mia)).sort(), ['demo', 'fast', 'slow']);

    // The server used PKCE and its client credentials at the token endpoint.
    const log = await fetch(`${idp.issuer}/__control/log`).then((r) => r.json());
    assert.ok(log.some((entry) => entry.client_id === 'llmchat' && entry.grant_type === 'authorization_code' && entry.has_code_verifier));
  });

  test('Mia chats with “fast”, and her settings show her group and her Corp SSO identity, no password', T, async () => {
    await chat.pickAgent('fast');
    await chat.send('Hello from single sign-on');
    await mia.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    assert.ok(((await chat.lastAssistant().textContent()) ?? '').length > 0);

    await mia.goto(`${server.url}/settings`);
    await mia.getByTestId('settings-group').first().waitFor();
    assert.deepEqual(await mia.getByTestId('settings-group').allTextContents(), ['engineering']);
    const identity = mia.getByTestId('settings-identity');
    await identity.waitFor();
    assert.equal(await identity.count(), 1);
    assert.equal(await identity.getByTestId('settings-identity-provider').textContent(), 'Corp SSO');
    assert.equal(await identity.getByTestId('settings-identity-email').textContent(), 'mia@corp.example');
    assert.equal(
      await mia.getByTestId('settings-no-password').textContent(),
      'Your account signs in through Corp SSO; it has no password here.',
    );
    assert.equal(await mia.getByTestId('password-form').count(), 0);
    await mia.getByTestId('settings-identities').scrollIntoViewIfNeeded();
    await screenshot(mia, 'settings-sso-light-desktop');

    // Deleting the account asks for her username (she has no password): a wrong one is refused
    // by the server, and nothing happens.
    await mia.getByTestId('delete-account').click();
    const dialog = mia.getByTestId('delete-dialog');
    await dialog.getByText('Type your username to confirm').waitFor();
    assert.equal(await dialog.getByTestId('delete-password').count(), 0);
    await dialog.getByTestId('delete-username').fill('not-mia');
    await dialog.getByTestId('delete-confirm').click();
    await dialog.getByTestId('delete-error').filter({ hasText: 'That is not your username.' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await mia.getByTestId('deletion-banner').count(), 0);
  });

  test('signing in from a deep link comes back to it', T, async () => {
    const page = await newPage();
    await page.goto(`${server.url}/settings`);
    await page.waitForURL(`${server.url}/login?next=%2Fsettings`);
    const button = page.locator('[data-testid=sso-button][data-provider=corp]');
    assert.equal(await button.getAttribute('href'), '/api/auth/oidc/corp/start?return_to=%2Fsettings');
    await signInAtIdp(page, 'corp', 'mia');
    await page.waitForURL(`${server.url}/settings`);
    await page.getByTestId('settings-identity').waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), 'mia');
  });

  test('a used or expired sign-in link is explained on the sign-in page', T, async () => {
    const page = await newPage();
    await page.goto(`${server.url}/login?sso_error=state_unknown`);
    const alert = page.getByTestId('sso-error');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(await alert.textContent(), 'This sign-in link was already used or has expired. Start again.');
    // The buttons are there to start again.
    await page.locator('[data-testid=sso-button][data-provider=corp]').waitFor();
  });

  test('a sign-in the server refuses (no account for a contractor) comes back explained', T, async () => {
    const page = await newPage();
    await page.goto(`${server.url}/login`);
    await signInAtIdp(page, 'contractors', 'nobody');
    await page.waitForURL(`${server.url}/login?sso_error=no_account`);
    const alert = page.getByTestId('sso-error');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'No account on this server belongs to this identity. Ask an administrator for access.');
    // Still signed out: the password form and the providers are offered again.
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('current-user').count(), 0);
    await screenshot(page, 'login-sso-error-light-desktop');
    // The server made no account for them.
    const users = await admin.evaluate(async () => {
      const { access_token: token } = await fetch('/api/auth/refresh', { method: 'POST' }).then((r) => r.json());
      const list = await fetch('/api/admin/users?q=nobody', { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      return (list.items ?? []).map((u) => u.username);
    });
    assert.deepEqual(users, []);
  });

  test('screenshots: the sign-in page with a failure, in Chinese', T, async () => {
    const page = await newPage({ locale: 'zh-CN' });
    await page.goto(`${server.url}/login?sso_error=no_account`);
    const alert = page.getByTestId('sso-error');
    await alert.waitFor();
    assert.equal(await alert.textContent(), '这台服务器上没有与该身份关联的账号。请向管理员申请访问权限。');
    assert.equal(await page.locator('[data-testid=sso-button][data-provider=corp]').textContent(), '使用 Corp SSO 登录');
    await screenshot(page, 'login-sso-error-zh-light-desktop');
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});

// A fresh install where passwords are switched off (`auth.password_login: false`) and nobody
// has an account yet: the sign-in page offers the provider alone, the API refuses passwords,
// and the first person to sign in through the provider administers the server.
describe('single sign-on only, on a fresh install, in Chromium', () => {
  let idp;
  let server;
  let browser;
  let page;
  const problems = [];

  before(async () => {
    idp = await startOidcProvider();
    server = await startServer({
      admin: false,
      settings: settings(idp.issuer, { sole: true, passwordLogin: false }),
    });
    await idp.client('llmchat', SECRET, [`${server.url}/api/auth/oidc/corp/callback`]);
    await idp.user('mia', MIA);
    browser = await startBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.stop();
  });

  test('the sign-in page offers only the provider, and the API refuses passwords', T, async () => {
    const refused = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'mia', password: 'a long enough passphrase' }),
    });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error.code, 'password_login_disabled');

    await page.goto(`${server.url}/login`);
    const note = page.getByTestId('passwords-off');
    await note.waitFor();
    assert.equal(await note.textContent(), 'Passwords are switched off on this server: sign in with your organisation’s account.');
    assert.equal(await page.getByTestId('sso-button').count(), 1);
    assert.equal(await page.getByTestId('sso-button').textContent(), 'Sign in with Corp SSO');
    assert.equal(await page.getByTestId('login-form').count(), 0);
    assert.equal(await page.getByTestId('register-link').count(), 0);
    // A fresh install: no "create the first account" screen (it would need a password).
    assert.equal(await page.getByTestId('first-run').count(), 0);
    await screenshot(page, 'login-sso-only-light-desktop');
  });

  test('the first person through the provider gets the account, as its administrator', T, async () => {
    await page.getByTestId('sso-button').click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.getByTestId('idp-login').fill('mia');
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('new-chat-screen').waitFor();
    assert.equal(await page.getByTestId('current-user').textContent(), 'mia');
    await page.getByTestId('admin-link').waitFor();
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
