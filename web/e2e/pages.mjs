// Page objects: what the tests do, in the words of the screens, over stable data-testids.

export class AuthPage {
  constructor(page, base) {
    this.page = page;
    this.base = base;
  }
  async register(username, password) {
    await this.page.goto(`${this.base}/register`);
    await this.page.getByTestId('register-username').fill(username);
    await this.page.getByTestId('register-password').fill(password);
    await this.page.getByTestId('register-confirm').fill(password);
    await this.page.getByTestId('register-submit').click();
  }
  /** Fills the register form already on screen (the invitation code, when given, too). */
  async fillRegister(username, password, { invite } = {}) {
    if (invite !== undefined) await this.page.getByTestId('register-invite').fill(invite);
    await this.page.getByTestId('register-username').fill(username);
    await this.page.getByTestId('register-password').fill(password);
    await this.page.getByTestId('register-confirm').fill(password);
    await this.page.getByTestId('register-submit').click();
  }
  async login(username, password) {
    await this.page.getByTestId('login-username').fill(username);
    await this.page.getByTestId('login-password').fill(password);
    await this.page.getByTestId('login-submit').click();
  }
}

export class ChatPage {
  constructor(page, base) {
    this.page = page;
    this.base = base;
  }
  composer() {
    return this.page.getByTestId('composer-input');
  }
  assistants() {
    return this.page.getByTestId('message-assistant');
  }
  lastAssistant() {
    return this.assistants().last();
  }
  async newChat() {
    await this.page.getByTestId('new-chat').click();
    await this.page.getByTestId('new-chat-screen').waitFor();
  }
  async pickAgent(id) {
    await this.page.getByTestId('agent-picker').click();
    await this.page.locator(`[data-testid=agent-option][data-agent="${id}"]`).click();
  }
  async send(text) {
    await this.composer().fill(text);
    await this.composer().press('Enter');
  }
  /** Waits for the last answer on screen to reach `status` (complete, stopped…). */
  async waitForAnswer(status = 'complete', timeout = 30_000) {
    await this.page.waitForFunction(
      (wanted) => {
        const answers = document.querySelectorAll('[data-testid=message-assistant]');
        const last = answers[answers.length - 1];
        // A local id means the server has not confirmed the answer yet.
        return last?.getAttribute('data-status') === wanted && !last.getAttribute('data-id')?.startsWith('local-');
      },
      status,
      { timeout },
    );
  }
  async waitUntilStreamingText() {
    await this.page
      .locator('[data-testid=message-assistant][data-status=streaming] .markdown')
      .first()
      .waitFor({ timeout: 15_000 });
  }
}

export class Sidebar {
  constructor(page) {
    this.page = page;
  }
  items() {
    return this.page.getByTestId('conversation-item');
  }
  item(title) {
    return this.items().filter({ hasText: title });
  }
  async search(text) {
    await this.page.getByTestId('conversation-search').fill(text);
  }
  async menu(title, action) {
    const item = this.item(title).first();
    await item.hover();
    await item.getByTestId('conversation-menu').click();
    await this.page.getByTestId(`menu-${action}`).click();
  }
  async rename(title, next) {
    await this.menu(title, 'rename');
    const input = this.page.getByTestId('rename-input');
    await input.fill(next);
    await input.press('Enter');
  }
  async remove(title) {
    await this.menu(title, 'delete');
    await this.page.getByTestId('confirm-ok').click();
  }
}

export class AdminConsole {
  constructor(page, base) {
    this.page = page;
    this.base = base;
  }
  async open(section = '') {
    await this.page.goto(`${this.base}/admin${section ? `/${section}` : ''}`);
    await this.page.getByTestId('admin-console').waitFor();
  }
  async section(key) {
    await this.page.getByTestId(`admin-nav-${key}`).click();
    await this.page.getByTestId(key === 'dashboard' ? 'admin-dashboard' : `admin-${key}`).waitFor();
  }
  /** Fills the new-agent form for an OpenAI-compatible agent. */
  async fillOpenAiAgent({ id, name, baseUrl, apiKey, model }) {
    await this.page.getByTestId('agent-id').fill(id);
    await this.page.getByTestId('agent-name').fill(name);
    await this.page.getByTestId('agent-provider').selectOption('openai');
    await this.page.getByTestId('agent-base-url').fill(baseUrl);
    await this.page.getByTestId('agent-api-key').fill(apiKey);
    await this.page.getByTestId('agent-model').fill(model);
  }
  /** Sets the registration mode on the System page and waits until it applies. */
  async setRegistration(mode) {
    await this.page.getByTestId(`registration-mode-${mode}`).check();
    await this.page.getByTestId('registration-apply').click();
    await this.page.locator(`[data-testid=registration-settings][data-mode=${mode}]`).waitFor();
  }
  /**
   * Creates an invitation on the System page; returns the link shown once. `groups` (names)
   * ticks exactly those groups in the picker, when given.
   */
  async createInvitation({ role = 'user', days = '7', note = '', groups } = {}) {
    await this.page.getByTestId('invitation-role').selectOption(role);
    await this.page.getByTestId('invitation-days').fill(days);
    await this.page.getByTestId('invitation-note').fill(note);
    if (groups !== undefined) {
      const picker = this.page.getByTestId('invitation-groups-picker');
      if (groups.length > 0) await picker.waitFor();
      for (const box of await picker.getByTestId('invitation-group').all()) {
        await box.setChecked(groups.includes(await box.getAttribute('data-group')));
      }
    }
    await this.page.getByTestId('invitation-create').click();
    return this.page.getByTestId('invitation-link').textContent();
  }
  agentRow(id) {
    return this.page.locator(`[data-testid=agent-row][data-agent="${id}"]`);
  }
  /**
   * Sets who may use an agent on the Agents page: `[]` for everyone, else the names of the
   * groups; waits until the list shows it.
   */
  async setAgentAccess(id, groups) {
    await this.agentRow(id).getByTestId('agent-access-edit').click();
    const dialog = this.page.getByTestId('access-dialog');
    if (groups.length === 0) {
      await dialog.getByTestId('access-everyone').check();
    } else {
      await dialog.getByTestId('access-groups').check();
      for (const box of await dialog.getByTestId('access-group').all()) {
        await box.setChecked(groups.includes(await box.getAttribute('data-group')));
      }
    }
    await dialog.getByTestId('access-save').click();
    await dialog.waitFor({ state: 'detached' });
    const restricted = this.agentRow(id).locator(`[data-testid=agent-access] [data-restricted=${groups.length > 0}]`);
    await restricted.waitFor();
  }
  groupRow(name) {
    return this.page.locator(`[data-testid=group-row][data-group="${name}"]`);
  }
  /**
   * Saves the budget form inside `container` (a group's Budget block, a user's budget dialog):
   * `''` leaves a limit out. Waits until the form says what happened.
   */
  async saveBudget(container, { tokens = '', cost = '' }) {
    const form = container.getByTestId('budget-form');
    await form.getByTestId('budget-tokens').fill(String(tokens));
    await form.getByTestId('budget-cost').fill(String(cost));
    await form.getByTestId('budget-save').click();
  }
  /** Waits until Chart.js has drawn something on the chart's canvas. */
  async waitForChart(testId) {
    await this.page.waitForFunction((id) => {
      const canvas = document.querySelector(`[data-testid=${id}] canvas`);
      if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
      return false;
    }, testId);
  }
}
