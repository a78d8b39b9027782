// Self-test of the test OpenID provider (provider.mjs): drives the authorization code
// flow the way a relying party would, with plain fetch and a small cookie jar.
// Run from the repository root: node --test tests/oidc/

import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

const PROVIDER = fileURLToPath(new URL('./provider.mjs', import.meta.url));
const CLIENT_ID = 'llmchat';
const CLIENT_SECRET = 's3cret';
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const SCOPE = 'openid email profile groups';
const ALICE = {
  preferred_username: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice Liddell',
  groups: ['eng'],
  roles: ['llmchat-admin'],
};

const TEST_TIMEOUT = 30_000; // per test; nothing here should take more than a second or two
const FETCH_TIMEOUT = 5_000; // per request

let child;
let stderr = '';
let issuer;
let discovery;

// --- helpers ---------------------------------------------------------------------

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function pkcePair() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

function req(url, init = {}) {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT), ...init });
}

async function control(method, path, body) {
  const res = await req(`${issuer}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// Just enough of RFC 6265 for oidc-provider's cookies: name + path, deletion by
// Max-Age / Expires, path-prefix matching. (All requests go to one host.)
class CookieJar {
  #cookies = new Map(); // `${path}\0${name}` -> { name, value, path }

  absorb(res, url) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const reqPath = new URL(url).pathname;
      let path = reqPath.slice(0, reqPath.lastIndexOf('/')) || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${path}\0${name}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter(({ path }) => pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`))
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
  }
}

// GET (or POST a form) with the jar's cookies; returns the response, body read.
async function browse(jar, url, form) {
  const headers = { cookie: jar.header(url) };
  const init = { headers };
  if (form) {
    init.method = 'POST';
    headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  const res = await req(url, init);
  jar.absorb(res, url);
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), text, url };
}

// Follows redirects from `url` until a page (non-3xx) or the redirect_uri is reached.
async function follow(jar, first) {
  let res = first;
  for (let hops = 0; hops < 10; hops += 1) {
    if (res.status < 300 || res.status > 399) return { page: res };
    const next = new URL(res.location, res.url).href;
    if (next.startsWith(REDIRECT_URI)) return { callback: new URL(next) };
    res = await browse(jar, next);
  }
  throw new Error('too many redirects');
}

function authorizationUrl({ state, nonce, challenge }) {
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

// Starts a flow in a fresh jar (no session yet) and returns the login page.
async function startFlow() {
  const jar = new CookieJar();
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const { verifier, challenge } = pkcePair();
  const { page, callback } = await follow(jar, await browse(jar, authorizationUrl({ state, nonce, challenge })));
  assert.equal(callback, undefined, 'a fresh browser must be asked to sign in');
  assert.equal(page.status, 200, page.text);
  assert.match(new URL(page.url).pathname, /^\/interaction\/[^/]+$/);
  return { jar, state, nonce, verifier, page };
}

// Submits the login form of `page` (as a browser would: its action, field `login`).
async function submitLogin(jar, page, sub) {
  const action = page.text.match(/<form method="post" action="([^"]+)">/)?.[1];
  assert.ok(action, `no login form in:\n${page.text}`);
  return follow(jar, await browse(jar, new URL(action, page.url).href, { login: sub }));
}

// The whole front channel for `sub`: returns code, state, nonce and PKCE verifier.
async function signIn(sub) {
  const { jar, state, nonce, verifier, page } = await startFlow();
  const { callback, page: stuck } = await submitLogin(jar, page, sub);
  assert.ok(callback, `did not reach the redirect_uri: ${stuck?.status} ${stuck?.text}`);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), issuer); // RFC 9207
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback}`);
  return { code, state, nonce, verifier };
}

async function redeem(code, verifier, { auth = 'basic' } = {}) {
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  };
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') {
    const creds = `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`;
    headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
  } else {
    Object.assign(form, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  }
  const res = await req(discovery.token_endpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}

// A fresh JWKS cache each time, so a rotated key is fetched at once.
function verify(idToken) {
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri), { timeoutDuration: FETCH_TIMEOUT });
  return jwtVerify(idToken, jwks, { issuer, audience: CLIENT_ID, algorithms: ['RS256'] });
}

// sign in as alice and return the id_token from /token.
async function idTokenForAlice() {
  const { code, verifier, nonce } = await signIn('alice');
  const { status, body } = await redeem(code, verifier);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(typeof body.id_token, 'string');
  return { idToken: body.id_token, nonce };
}

// --- the provider process --------------------------------------------------------

before(async () => {
  child = spawn(process.execPath, [PROVIDER, '--port', '0', '--exit-on-eof'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line),
    once(child, 'exit').then(([code]) => { throw new Error(`provider exited (${code}): ${stderr}`); }),
    new Promise((_, reject) => { setTimeout(() => reject(new Error(`no listening line: ${stderr}`)), 15_000).unref(); }),
  ]);
  const m = first.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/);
  assert.ok(m, `unexpected first line: ${first}`);
  issuer = m[1];

  const res = await req(`${issuer}/.well-known/openid-configuration`);
  discovery = await res.json();

  assert.equal((await control('PUT', `/clients/${CLIENT_ID}`, {
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
  })).status, 204);
  assert.equal((await control('PUT', '/users/alice', ALICE)).status, 204);
}, { timeout: 20_000 });

after(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin.end(); // --exit-on-eof
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
});

// --- tests (in order: tampering and rotation change the provider's state) --------

describe('test OpenID provider', { timeout: 120_000 }, () => {
  test('discovery names the loopback issuer and the endpoints', { timeout: TEST_TIMEOUT }, () => {
    assert.equal(discovery.issuer, issuer);
    assert.equal(discovery.token_endpoint, `${issuer}/token`);
    assert.equal(discovery.jwks_uri, `${issuer}/jwks`);
    assert.ok(discovery.code_challenge_methods_supported.includes('S256'));
    for (const scope of SCOPE.split(' ')) assert.ok(discovery.scopes_supported.includes(scope), scope);
  });

  test('the login page is the plain form the tests expect', { timeout: TEST_TIMEOUT }, async () => {
    const { page } = await startFlow();
    assert.match(page.text, /<title>Test IdP — sign in<\/title>/);
    assert.match(page.text, /<input name="login" id="login" data-testid="idp-login"/);
    assert.match(page.text, /<button type="submit" data-testid="idp-submit">Sign in<\/button>/);
  });

  test('code flow with PKCE: the ID token verifies and carries the scope claims', { timeout: TEST_TIMEOUT }, async () => {
    const { idToken, nonce } = await idTokenForAlice();
    const { payload, protectedHeader } = await verify(idToken);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, 'k1');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.nonce, nonce);
    assert.equal(payload.email, ALICE.email);
    assert.equal(payload.email_verified, true);
    assert.equal(payload.preferred_username, 'alice');
    assert.equal(payload.name, ALICE.name);
    assert.deepEqual(payload.groups, ['eng']);
    assert.deepEqual(payload.roles, ['llmchat-admin']);

    const { body: log } = await control('GET', '/log');
    assert.deepEqual(log.at(-1), { grant_type: 'authorization_code', client_id: CLIENT_ID, has_code_verifier: true });
  });

  test('client_secret_post is accepted too', { timeout: TEST_TIMEOUT }, async () => {
    const { code, verifier } = await signIn('alice');
    const { status, body } = await redeem(code, verifier, { auth: 'post' });
    assert.equal(status, 200, JSON.stringify(body));
    await verify(body.id_token);
    const { body: log } = await control('GET', '/log');
    assert.equal(log.at(-1).client_id, CLIENT_ID);
  });

  test('an unknown user gets "Unknown user" on the login form', { timeout: TEST_TIMEOUT }, async () => {
    const { jar, page } = await startFlow();
    const { page: again, callback } = await submitLogin(jar, page, 'mallory');
    assert.equal(callback, undefined);
    assert.equal(again.status, 200);
    assert.match(again.text, /Unknown user/);
    assert.match(again.text, /data-testid="idp-login"/);
    // The same interaction still accepts a known user.
    const { callback: ok } = await submitLogin(jar, again, 'alice');
    assert.ok(ok?.searchParams.get('code'));
  });

  test('a code redeemed twice is refused (invalid_grant)', { timeout: TEST_TIMEOUT }, async () => {
    const { code, verifier } = await signIn('alice');
    assert.equal((await redeem(code, verifier)).status, 200);
    const second = await redeem(code, verifier);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
  });

  test('a wrong code_verifier is refused (invalid_grant)', { timeout: TEST_TIMEOUT }, async () => {
    const { code } = await signIn('alice');
    const res = await redeem(code, pkcePair().verifier);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
  });

  describe('tampered ID tokens fail verification', () => {
    const cases = [
      ['bad_signature', { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }],
      ['wrong_audience', { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' }],
      ['expired', { code: 'ERR_JWT_EXPIRED', claim: 'exp' }],
      ['wrong_issuer', { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' }],
    ];
    for (const [mode, expected] of cases) {
      test(mode, { timeout: TEST_TIMEOUT }, async () => {
        assert.equal((await control('PUT', '/tamper', { mode })).status, 204);
        try {
          const { idToken } = await idTokenForAlice();
          assert.equal(decodeProtectedHeader(idToken).kid, 'k1');
          await assert.rejects(verify(idToken), expected);
        } finally {
          assert.equal((await control('PUT', '/tamper', { mode: null })).status, 204);
        }
      });
    }

    test('mode null passes tokens through again', { timeout: TEST_TIMEOUT }, async () => {
      const { idToken } = await idTokenForAlice();
      await verify(idToken);
    });

    test('an unknown mode is refused', { timeout: TEST_TIMEOUT }, async () => {
      assert.equal((await control('PUT', '/tamper', { mode: 'bogus' })).status, 400);
    });
  });

  test('unknown control routes answer 404 JSON', { timeout: TEST_TIMEOUT }, async () => {
    const res = await control('GET', '/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'not_found');
  });

  test('key rotation: the JWKS lists only the new key and tokens are signed with it', { timeout: TEST_TIMEOUT }, async () => {
    const rotated = await control('POST', '/rotate');
    assert.equal(rotated.status, 200);
    assert.deepEqual(rotated.body, { kid: 'k2' });

    const jwks = await (await req(discovery.jwks_uri)).json();
    assert.deepEqual(jwks.keys.map((k) => k.kid), ['k2']);
    assert.equal(jwks.keys[0].d, undefined, 'the JWKS must hold public keys only');

    const { idToken, nonce } = await idTokenForAlice();
    assert.equal(decodeProtectedHeader(idToken).kid, 'k2');
    const { payload } = await verify(idToken);
    assert.equal(payload.nonce, nonce);
    assert.deepEqual(payload.roles, ['llmchat-admin']);

    assert.deepEqual((await control('POST', '/rotate')).body, { kid: 'k3' });
  });
});
