// Starts the real llmchat binary (release by default) on a free port with a fresh data
// directory and a test agents file, and Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
export const artifacts = resolve(here, '../test-results');
export const ADMIN = { username: 'admin', password: 'an admin passphrase 42' };

/** The binary under test: LLMCHAT_E2E_BINARY, else the release build, else the debug one. */
export function binary() {
  if (process.env.LLMCHAT_E2E_BINARY) return process.env.LLMCHAT_E2E_BINARY;
  const target = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, 'target');
  for (const profile of ['release', 'debug']) {
    const path = join(target, profile, 'llmchat');
    if (existsSync(path)) return path;
  }
  throw new Error('no llmchat binary: run `cargo build --release` or set LLMCHAT_E2E_BINARY');
}

/** Starts `llmchat-mock` (next to the server binary unless LLMCHAT_MOCK_BINARY says). */
export async function startMock() {
  const path = process.env.LLMCHAT_MOCK_BINARY ?? join(dirname(binary()), 'llmchat-mock');
  const child = spawn(path, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    child.stdout.once('data', (chunk) => ok(String(chunk)));
    child.once('exit', (code) => fail(new Error(`llmchat-mock exited (${code})`)));
  });
  const port = /:(\d+)/.exec(line)?.[1];
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * Starts the test OpenID provider (tests/oidc/provider.mjs; its packages come from
 * `npm --prefix tests/oidc ci`). `issuer` is exactly what the server's `auth.oidc[].issuer`
 * must say. `client` and `user` register a client and an account through its control API;
 * `stop` ends it (it also exits by itself when this process dies: its stdin closes).
 */
export async function startOidcProvider() {
  const script = join(repo, 'tests', 'oidc', 'provider.mjs');
  if (!existsSync(join(repo, 'tests', 'oidc', 'node_modules', 'oidc-provider'))) {
    throw new Error('the test OpenID provider has no packages: run `npm --prefix tests/oidc ci`');
  }
  const child = spawn(process.execPath, [script, '--port', '0', '--exit-on-eof'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const line = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the OpenID provider did not start within 20 s:\n${log}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        ok(out.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the OpenID provider exited (${code}):\n${log}`));
    });
  });
  const issuer = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line.trim())?.[1];
  if (!issuer) throw new Error(`unexpected first line from the OpenID provider: ${line}`);
  const put = async (path, body) => {
    const response = await fetch(`${issuer}/__control/${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 204) throw new Error(`PUT /__control/${path}: ${response.status} ${await response.text()}`);
  };
  return {
    issuer,
    /** Registers (or replaces) a confidential client. */
    client: (id, secret, redirectUris) => put(`clients/${encodeURIComponent(id)}`, { client_secret: secret, redirect_uris: redirectUris }),
    /** Registers (or replaces) an account: `claims` as the ID token should carry them. */
    user: (sub, claims) => put(`users/${encodeURIComponent(sub)}`, claims),
    /** What the provider logged (stderr), for a failure's message. */
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return path;
}

/** A port nothing listens on (for a dead upstream), or a free one to listen on. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

const AGENTS = `agents:
  - id: demo
    name: Demo
    description: Fast demo replies for the tests.
    avatar: "🧪"
    welcome: Welcome to the end-to-end tests.
    suggested_questions: ["What can you do?", "Show me some code"]
    provider:
      type: demo
      chars_per_second: 4000
    capabilities: [reasoning]
  - id: fast
    name: Fast demo
    description: Answers at once, to fill long conversations.
    avatar: "⚡"
    provider:
      type: demo
      chars_per_second: 1000000
  - id: slow
    name: Slow demo
    description: Types slowly, so that a test can stop it or reload mid-answer.
    avatar: "🐢"
    provider:
      type: demo
      chars_per_second: 120
`;

/**
 * Starts the server. `admin: false` leaves out LLMCHAT_ADMIN_*: a fresh install with no account
 * at all; `env` adds or overrides variables; `settings` (YAML) is written to
 * `config/environments/development.yml` under the server's working directory, the settings
 * file it reads (e.g. `auth.oidc` for single sign-on).
 */
export async function startServer({ agents = AGENTS, admin = true, env = {}, settings } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'llmchat-e2e-'));
  writeFileSync(join(dir, 'agents.yaml'), agents);
  if (settings !== undefined) {
    mkdirSync(join(dir, 'config', 'environments'), { recursive: true });
    writeFileSync(join(dir, 'config', 'environments', 'development.yml'), settings);
  }
  const port = await freePort();
  const child = spawn(binary(), ['serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LLMCHAT_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      LLMCHAT_DATA_DIR: join(dir, 'data'),
      AGENTS_CONFIG: join(dir, 'agents.yaml'),
      LOG_LEVEL: 'warn',
      LLMCHAT_LOG__FORMAT: 'json',
      ...(admin ? { LLMCHAT_ADMIN_USERNAME: ADMIN.username, LLMCHAT_ADMIN_PASSWORD: ADMIN.password } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`llmchat exited (${child.exitCode}):\n${log}`);
    try {
      const response = await fetch(`${url}/api/health/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (i > 150) throw new Error(`llmchat did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    /** kill -9: the process dies at once, its connections reset. */
    async kill() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Saves a screenshot under web/test-results/screenshots (git-ignored). */
export async function screenshot(page, name) {
  const dir = join(artifacts, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
