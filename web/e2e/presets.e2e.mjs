// End-to-end: custom instructions and prompt presets. A user saves custom instructions in
// Settings (they reach the upstream's system prompt: llmchat-mock records what it was sent),
// creates presets, and picks one from the composer's menu by mouse and by keyboard; an admin
// gives everyone who uses an agent a shared preset from the console, and the user finds it in
// the menu for that agent only. In English and Chinese.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, screenshot, startBrowser, startMock, startServer } from './harness.mjs';
import { AdminConsole, AuthPage, ChatPage } from './pages.mjs';

const PASSWORD = 'a long enough passphrase';
const INSTRUCTIONS = 'I am a data engineer in Shanghai. Answer concisely.';
const TRANSLATE = 'Translate the following text into Simplified Chinese:';
const SHARED = 'Summarise our weekly team notes in three bullet points:';
const T = { timeout: 90_000 };

describe('Custom instructions and prompt presets in Chromium', () => {
  let mock;
  let server;
  let browser;
  let userContext;
  let adminContext;
  let page;
  let admin;
  let chat;
  const problems = [];

  function watch(p) {
    p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    p.on('console', (m) => {
      // Chromium logs every refused request (the first refresh without a cookie is a 401):
      // the tests check what the user sees instead.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  }

  /** Opens the composer's preset menu and waits for its presets (or its empty state). */
  async function openPresets() {
    await page.getByTestId('preset-menu-button').click();
    const menu = page.getByTestId('preset-menu');
    await menu.locator('[data-testid=preset-filter], [data-testid=preset-none]').first().waitFor();
    return menu;
  }

  const optionTitles = (menu) => menu.getByTestId('preset-option').locator('.preset-option-title').allTextContents();

  before(async () => {
    mock = await startMock();
    server = await startServer({
      agents: `agents:
  - id: demo
    name: Demo
    description: Fast demo replies for the tests.
    avatar: "🧪"
    provider:
      type: demo
      chars_per_second: 1000000
  - id: mock-gpt
    name: Mock GPT
    description: llmchat-mock's OpenAI-compatible upstream.
    provider:
      type: openai
      base_url: ${mock.url}/openai/v1
      api_key: sk-mock
      model: mock-model
`,
    });
    browser = await startBrowser();
    userContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    page = await userContext.newPage();
    admin = await adminContext.newPage();
    watch(page);
    watch(admin);
    chat = new ChatPage(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    mock?.stop();
  });

  test('a user saves custom instructions in Settings; they stay after a reload', T, async () => {
    await new AuthPage(page, server.url).register('carol', PASSWORD);
    await page.getByTestId('new-chat-screen').waitFor();
    await page.goto(`${server.url}/settings`);
    const section = page.getByTestId('instructions-section');
    await section.getByText('They are not added to API calls (/v1).').waitFor();
    const box = section.getByTestId('instructions-input');
    await page.waitForFunction(() => !document.querySelector('[data-testid=instructions-input]')?.readOnly);
    await box.fill(INSTRUCTIONS);
    assert.equal(await section.getByTestId('instructions-count').textContent(), `${INSTRUCTIONS.length} / 4,000 characters`);
    await section.getByTestId('instructions-save').click();
    await section.getByTestId('instructions-notice').filter({ hasText: 'Custom instructions saved.' }).waitFor();
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-instructions-light-desktop');

    // Too long: the server's refusal shows on the field, and nothing changes.
    await box.fill('x'.repeat(4001));
    await section.locator('.char-count.over').waitFor();
    await section.getByTestId('instructions-save').click();
    await section.getByTestId('instructions-error').filter({ hasText: 'Must be at most 4000 characters' }).waitFor();
    assert.equal(await box.getAttribute('aria-invalid'), 'true');

    await page.reload();
    await page.waitForFunction((text) => document.querySelector('[data-testid=instructions-input]')?.value === text, INSTRUCTIONS);
  });

  test('the instructions reach the upstream as the system prompt', T, async () => {
    await fetch(`${mock.url}/_mock/requests`, { method: 'DELETE' });
    await page.goto(server.url);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('mock-gpt');
    await chat.send('Hello from carol');
    await page.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    const recorded = await fetch(`${mock.url}/_mock/requests`).then((r) => r.json());
    const sent = JSON.stringify(recorded);
    assert.ok(sent.includes('Hello from carol'), 'the mock recorded the turn');
    assert.ok(sent.includes(INSTRUCTIONS), 'the custom instructions were in the request to the upstream');
  });

  test('the user creates presets: one for any agent, one for Mock GPT only', T, async () => {
    await page.goto(`${server.url}/settings`);
    const section = page.getByTestId('presets-section');
    await section.getByTestId('presets-empty').waitFor();
    const form = section.getByTestId('preset-form');
    await form.getByTestId('preset-title-input').fill('Translate');
    await form.getByTestId('preset-content-input').fill(TRANSLATE);
    assert.equal(await form.getByTestId('preset-agent-select').inputValue(), '', '“Any agent” by default');
    await form.getByTestId('preset-save').click();
    await section.getByTestId('presets-notice').filter({ hasText: 'Preset “Translate” added.' }).waitFor();

    await form.getByTestId('preset-title-input').fill('Mock check');
    await form.getByTestId('preset-content-input').fill('Only for the mock upstream.');
    await form.getByTestId('preset-agent-select').selectOption('mock-gpt');
    await form.getByTestId('preset-save').click();
    await section.getByTestId('presets-notice').filter({ hasText: 'Preset “Mock check” added.' }).waitFor();

    const rows = section.getByTestId('preset-row');
    assert.deepEqual(await rows.getByTestId('preset-title').allTextContents(), ['Mock check', 'Translate']);
    assert.deepEqual(await rows.getByTestId('preset-agent').allTextContents(), ['Mock GPT', 'Any agent']);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-presets-light-desktop');
  });

  test('in a chat, the picked preset fills the composer and is sent', T, async () => {
    await page.goto(server.url);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('demo');
    const menu = await openPresets();
    // The demo agent's menu: the preset for any agent, not the one for Mock GPT.
    assert.deepEqual(await optionTitles(menu), ['Translate']);
    await screenshot(page, 'composer-presets-light-desktop');
    await menu.getByTestId('preset-option').first().click();
    await menu.waitFor({ state: 'detached' });
    assert.equal(await chat.composer().inputValue(), TRANSLATE);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'composer-input');

    // The cursor is at the end: what is typed follows the preset's text.
    await page.keyboard.type(' Good morning');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/c\//);
    await chat.waitForAnswer('complete');
    assert.equal((await page.getByTestId('message-user').last().textContent()).trim(), `${TRANSLATE} Good morning`);
    assert.match(await chat.lastAssistant().textContent(), /Demo reply/);
    assert.match(await chat.lastAssistant().textContent(), /Translate the following text/);
  });

  test('the menu works from the keyboard: filter, arrows, Enter, Escape', T, async () => {
    await chat.newChat();
    await chat.pickAgent('mock-gpt');
    await chat.composer().fill('Some notes');
    await page.getByTestId('preset-menu-button').focus();
    await page.keyboard.press('Enter');
    const menu = page.getByTestId('preset-menu');
    await menu.getByTestId('preset-filter').waitFor();
    assert.deepEqual(await optionTitles(menu), ['Mock check', 'Translate']);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'preset-filter');

    // Escape closes the menu and leaves the text alone.
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'preset-menu-button');
    assert.equal(await chat.composer().inputValue(), 'Some notes');

    await page.keyboard.press('Enter');
    await menu.getByTestId('preset-filter').waitFor();
    await page.keyboard.type('trans');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=preset-option]').length === 1);
    await page.keyboard.type('zzz');
    await menu.getByTestId('preset-no-match').waitFor();
    for (let i = 0; i < 'transzzz'.length; i++) await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=preset-option]').length === 2);
    await page.keyboard.press('ArrowDown');
    await menu.locator('[data-testid=preset-option][aria-selected=true]').filter({ hasText: 'Translate' }).waitFor();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await chat.composer().inputValue(), `Some notes\n${TRANSLATE}`);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'composer-input');
    await chat.composer().fill('');
  });

  test('an admin gives the demo agent a shared preset in the console', T, async () => {
    await admin.goto(server.url);
    await new AuthPage(admin, server.url).login(ADMIN.username, ADMIN.password);
    await admin.getByTestId('current-user').filter({ hasText: ADMIN.username }).waitFor();
    const consolePage = new AdminConsole(admin, server.url);
    await consolePage.open('agents');
    await consolePage.section('agents');
    await consolePage.agentRow('demo').getByTestId('agent-presets').click();
    const dialog = admin.getByTestId('presets-dialog');
    await dialog.getByTestId('shared-presets-empty').waitFor();
    await dialog.getByTestId('shared-preset-title').fill('Weekly notes');
    await dialog.getByTestId('shared-preset-content').fill(SHARED);
    await dialog.getByTestId('shared-preset-create').click();
    await dialog.getByTestId('shared-presets-notice').filter({ hasText: 'Shared preset “Weekly notes” added.' }).waitFor();
    assert.equal(await dialog.getByTestId('shared-preset').count(), 1);
    await screenshot(admin, 'admin-shared-presets-light-desktop');
    await dialog.getByTestId('shared-presets-close').click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the user finds the shared preset in the menu for that agent only, and cannot change it', T, async () => {
    await chat.newChat();
    await chat.pickAgent('demo');
    let menu = await openPresets();
    assert.deepEqual(await optionTitles(menu), ['Translate', 'Weekly notesshared']);
    await menu.getByTestId('preset-filter').fill('weekly');
    await page.keyboard.press('Enter');
    assert.equal(await chat.composer().inputValue(), SHARED);
    await chat.composer().fill('');

    await chat.pickAgent('mock-gpt');
    menu = await openPresets();
    assert.deepEqual(await optionTitles(menu), ['Mock check', 'Translate'], 'not for another agent');
    await page.keyboard.press('Escape');

    await page.goto(`${server.url}/settings`);
    const shared = page.locator('[data-testid=preset-row][data-shared=true]');
    await shared.getByTestId('preset-shared').waitFor();
    assert.equal(await shared.getByTestId('preset-agent').textContent(), 'Demo');
    assert.equal(await shared.getByTestId('preset-edit').count(), 0);
    assert.equal(await shared.getByTestId('preset-delete').count(), 0);
  });

  test('in Chinese: Settings, the composer’s menu, and the console’s dialog', T, async () => {
    await page.getByTestId('language-select').selectOption('zh-CN');
    await page.getByRole('heading', { name: '自定义指令' }).waitFor();
    await page.getByRole('heading', { name: '提示词预设' }).waitFor();
    await page.getByTestId('presets-section').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-presets-zh-desktop');

    await page.goto(server.url);
    await page.getByTestId('new-chat-screen').waitFor();
    await chat.pickAgent('demo');
    const menu = await openPresets();
    await menu.getByText('共享', { exact: true }).waitFor();
    assert.equal(await menu.getByTestId('preset-settings-link').textContent(), '管理预设');
    await screenshot(page, 'composer-presets-zh-desktop');
    await page.keyboard.press('Escape');

    await admin.evaluate(() => localStorage.setItem('llmchat.language', 'zh-CN'));
    await admin.reload();
    await admin.getByTestId('admin-agents').waitFor();
    await new AdminConsole(admin, server.url).agentRow('demo').getByTestId('agent-presets').click();
    const dialog = admin.getByTestId('presets-dialog');
    await dialog.getByRole('heading', { name: 'Demo 的共享预设' }).waitFor();
    await screenshot(admin, 'admin-shared-presets-zh-desktop');

    // Deleted for everyone: the user's menu no longer offers it.
    await dialog.getByTestId('shared-preset-delete').click();
    await admin.getByTestId('confirm-ok').click();
    await dialog.getByTestId('shared-presets-empty').waitFor();
    const again = await openPresets();
    assert.deepEqual(await optionTitles(again), ['Translate']);
    await page.keyboard.press('Escape');
    await page.evaluate(() => localStorage.setItem('llmchat.language', 'en'));
  });

  test('no page errors happened', () => {
    assert.deepEqual(problems, []);
  });
});
