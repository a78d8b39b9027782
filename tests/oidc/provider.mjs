#!/usr/bin/env node
// A real OpenID provider for LLMChat's OIDC sign-in tests.
//
// It is the certified `oidc-provider` package (v9) on 127.0.0.1, configured for the
// authorization code flow, with:
//   - accounts and clients registered at run time through a JSON control API under
//     /__control (the relying party's redirect URI carries its own port, known only
//     after both sides have started);
//   - a plain HTML login form at /interaction/:uid and automatic consent, so a program
//     with a cookie jar can drive the whole flow with plain HTTP;
//   - knobs to tamper with the ID tokens it issues and to rotate its signing key, so
//     the relying party's token validation can be tested against a real provider.
//
// Usage: node tests/oidc/provider.mjs [--port N] [--exit-on-eof]
// The first stdout line is exactly `listening on http://127.0.0.1:PORT`; nothing else
// is written to stdout (diagnostics go to stderr). See README.md for the control API.

import * as http from 'node:http';
import { parseArgs } from 'node:util';

import { CompactSign, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

// oidc-provider prints its development notices with console.info, i.e. on stdout.
// Tests read stdout for the `listening on` line, so send every console message to
// stderr; the one stdout line is written with process.stdout.write below.
console.log = console.error;
console.info = console.error;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'exit-on-eof': { type: 'boolean', default: false },
  },
});

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${args.port}`);
  process.exit(2);
}

if (args['exit-on-eof']) {
  // Never outlive the test that spawned us: its end of our stdin closes when it dies.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

// ---------------------------------------------------------------------------------
// Signing keys
// ---------------------------------------------------------------------------------

let kidCounter = 0;

// An RS256 key pair with the next kid (k1, k2, ...).
async function newSigningKey() {
  kidCounter += 1;
  const kid = `k${kidCounter}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, privateJwk, publicJwk };
}

// The key oidc-provider itself signs with (k1). It stays in oidc-provider's keystore
// for the whole run; rotation is simulated on top of it (see the middleware below).
const initialKey = await newSigningKey();

// The key the provider is "currently" using: initialKey until POST /__control/rotate.
let currentKey = initialKey;

// null, or one of TAMPER_MODES: how every id_token out of /token is altered.
let tamperMode = null;
const TAMPER_MODES = new Set(['bad_signature', 'wrong_audience', 'expired', 'wrong_issuer']);

// What the token endpoint received, for GET /__control/log.
const tokenLog = [];

// ---------------------------------------------------------------------------------
// Storage: accounts, and a small in-memory adapter for oidc-provider's models
// ---------------------------------------------------------------------------------

// sub -> claims, as PUT by /__control/users/:sub.
const users = new Map();

// model name (Client, Session, Interaction, AuthorizationCode, Grant, ...) ->
// Map(id -> { payload, expiresAt }). Clients PUT by the control API go into
// stores.get('Client'), where oidc-provider's Client.find looks them up.
const stores = new Map();

function storeFor(model) {
  if (!stores.has(model)) stores.set(model, new Map());
  return stores.get(model);
}

// oidc-provider's adapter interface (one instance per model name). Entries expire
// after `expiresIn` seconds; `consume` marks an entry consumed (a second use of an
// authorization code is then refused and its grant revoked by oidc-provider).
class MemoryAdapter {
  constructor(model) {
    this.model = model;
    this.store = storeFor(model);
  }

  #get(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
    this.store.set(id, { payload, expiresAt });
  }

  async find(id) {
    return this.#get(id);
  }

  async findByUid(uid) {
    for (const id of this.store.keys()) {
      const payload = this.#get(id);
      if (payload?.uid === uid) return payload;
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const id of this.store.keys()) {
      const payload = this.#get(id);
      if (payload?.userCode === userCode) return payload;
    }
    return undefined;
  }

  async consume(id) {
    const payload = this.#get(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(id);
  }

  // Called on every model that may belong to a grant (tokens, codes, ...).
  async revokeByGrantId(grantId) {
    for (const [id, { payload }] of this.store) {
      if (payload?.grantId === grantId) this.store.delete(id);
    }
  }
}

// ---------------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------------

// The issuer carries the port, so bind first (port 0 = any free port), then build the
// provider, then attach it. Nothing is announced before the handler is attached.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  jwks: { keys: [initialKey.privateJwk] },

  // Accounts come from the control API; unknown subs do not exist.
  async findAccount(ctx, sub) {
    if (!users.has(sub)) return undefined;
    return {
      accountId: sub,
      // oidc-provider filters these down to the claims of the granted scopes.
      async claims() {
        return { ...users.get(sub), sub };
      },
    };
  },

  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    // oidc-provider's defaults, kept:
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
    openid: ['sub'],
    // ours:
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups', 'roles'],
  },
  // By default (true) the ID token carries only sub & co whenever an access token for
  // userinfo is issued, and the scope claims are to be read from userinfo. The
  // relying party reads them from the ID token, so put them there.
  conformIdTokenClaims: false,

  responseTypes: ['code'],
  // Both are accepted for any client whose metadata says either of them.
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  clientDefaults: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },

  features: {
    // Our own interaction pages (below), not the development ones.
    devInteractions: { enabled: false },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },

  // Explicit lifetimes (seconds), also keeping oidc-provider from printing a
  // "you SHOULD change ttl.X" notice for each default it would otherwise use.
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 120,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: 86400,
    ClientCredentials: 600,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
    PreAuthorizedCode: 600,
  },

  // No CORS for anyone (the relying party talks to us server to server).
  clientBasedCORS: () => false,

  // A plain error page (the default one pulls a web font and logs a notice).
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Test IdP — error', `<h1>Error</h1>\n${
      Object.entries(out).map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(v)}</p>`).join('\n')}`);
  },
});

// oidc-provider reports its own 500s only as events: log them (to stderr).
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const tokenPath = provider.pathFor('token');
const jwksPath = provider.pathFor('jwks');

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

function esc(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
</head>
<body>
${body}
</body>
</html>
`;
}

function loginPage(uid, { error, login = '' } = {}) {
  return page('Test IdP — sign in', `<h1>Test IdP — sign in</h1>
${error ? `<p class="error" role="alert" data-testid="idp-error">${esc(error)}</p>\n` : ''}<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">User</label>
<input name="login" id="login" data-testid="idp-login" value="${esc(login)}" autocomplete="username" required autofocus>
<button type="submit" data-testid="idp-submit">Sign in</button>
</form>`);
}

// Reads a request body (our own routes only: oidc-provider parses its own bodies and
// must find the stream unread).
async function readBody(ctx, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > limit) ctx.throw(413, 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(ctx) {
  const text = await readBody(ctx);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    ctx.throw(400, 'body is not JSON');
  }
}

function jsonReply(ctx, status, body) {
  ctx.status = status;
  if (body !== undefined) ctx.body = body;
}

// The client_id of a token request: from HTTP Basic auth (form-urlencoded parts, per
// RFC 6749 §2.3.1) or from the body.
function tokenRequestClientId(ctx, body) {
  const auth = ctx.get('authorization');
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
      } catch {
        return decoded.slice(0, colon);
      }
    }
  }
  return body?.client_id ?? null;
}

// Re-issues an id_token per the tamper mode and the current (possibly rotated) key.
// Returns the token untouched when neither is in effect.
async function reissueIdToken(idToken) {
  if (tamperMode === null && currentKey === initialKey) return idToken;

  const header = decodeProtectedHeader(idToken);
  const payload = decodeJwt(idToken);
  let signingKey = currentKey.privateKey;
  const now = Math.floor(Date.now() / 1000);

  switch (tamperMode) {
    case 'bad_signature':
      // Same header and claims, but a key that is in no JWKS.
      signingKey = (await generateKeyPair('RS256')).privateKey;
      break;
    case 'wrong_audience':
      payload.aud = 'someone-else';
      break;
    case 'expired':
      payload.exp = now - 600;
      payload.iat = now - 1200;
      break;
    case 'wrong_issuer':
      payload.iss = 'http://evil.example';
      break;
    default:
      break;
  }

  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg: 'RS256', kid: currentKey.kid })
    .sign(signingKey);
}

// ---------------------------------------------------------------------------------
// Middleware (provider.use puts these in front of oidc-provider's own routes)
// ---------------------------------------------------------------------------------

// Token endpoint: record the request, then tamper with / re-sign the id_token.
// JWKS endpoint: after a rotation, serve only the current public key.
provider.use(async (ctx, next) => {
  await next();

  if (ctx.path === tokenPath && ctx.method === 'POST') {
    // oidc-provider has parsed the form into ctx.oidc.body by now.
    const body = ctx.oidc?.body ?? {};
    tokenLog.push({
      grant_type: body.grant_type ?? null,
      client_id: tokenRequestClientId(ctx, body),
      has_code_verifier: typeof body.code_verifier === 'string' && body.code_verifier.length > 0,
    });

    if (ctx.status === 200 && ctx.body && typeof ctx.body.id_token === 'string') {
      ctx.body = { ...ctx.body, id_token: await reissueIdToken(ctx.body.id_token) };
    }
  } else if (ctx.path === jwksPath && ctx.method === 'GET' && ctx.status === 200
    && currentKey !== initialKey) {
    ctx.body = { keys: [currentKey.publicJwk] };
    ctx.type = 'application/jwk-set+json; charset=utf-8';
  }
});

// The control API, for tests only.
provider.use(async (ctx, next) => {
  if (ctx.path !== '/__control' && !ctx.path.startsWith('/__control/')) return next();

  const route = `${ctx.method} ${ctx.path}`;
  let m;

  if ((m = route.match(/^PUT \/__control\/clients\/([^/]+)$/))) {
    const clientId = decodeURIComponent(m[1]);
    const body = await readJson(ctx);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return jsonReply(ctx, 400, { error: 'invalid_request', error_description: 'body must be a JSON object' });
    }
    const metadata = { ...body, client_id: clientId };
    try {
      // The same validation oidc-provider applies when it loads the client.
      await provider.Client.validate(metadata);
    } catch (err) {
      return jsonReply(ctx, 400, { error: err.error ?? 'invalid_client_metadata', error_description: err.error_description ?? err.message });
    }
    // Replaces any previous client of that id (oidc-provider caches loaded clients by
    // a hash of their metadata, so the new metadata takes effect at once).
    await new MemoryAdapter('Client').upsert(clientId, metadata);
    return jsonReply(ctx, 204);
  }

  if ((m = route.match(/^PUT \/__control\/users\/([^/]+)$/))) {
    const sub = decodeURIComponent(m[1]);
    const claims = await readJson(ctx);
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
      return jsonReply(ctx, 400, { error: 'invalid_request', error_description: 'body must be a JSON object of claims' });
    }
    users.set(sub, { ...claims, sub });
    return jsonReply(ctx, 204);
  }

  if (route === 'PUT /__control/tamper') {
    const { mode } = (await readJson(ctx)) ?? {};
    if (mode !== null && !TAMPER_MODES.has(mode)) {
      return jsonReply(ctx, 400, {
        error: 'invalid_request',
        error_description: `mode must be null or one of ${[...TAMPER_MODES].join(', ')}`,
      });
    }
    tamperMode = mode;
    return jsonReply(ctx, 204);
  }

  if (route === 'POST /__control/rotate') {
    currentKey = await newSigningKey();
    return jsonReply(ctx, 200, { kid: currentKey.kid });
  }

  if (route === 'GET /__control/log') {
    return jsonReply(ctx, 200, tokenLog);
  }

  return jsonReply(ctx, 404, { error: 'not_found', error_description: `no control route ${route}` });
});

// The interaction pages: a login form, and automatic consent.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!m) return next();
  const [, uid, login] = m;
  ctx.set('cache-control', 'no-store');

  let details;
  try {
    // Finds the interaction from its cookie (set by oidc-provider on /interaction/:uid).
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Test IdP — error', `<h1>Error</h1>\n<p>${esc(err.error_description ?? err.message)}</p>`);
    return undefined;
  }
  const { prompt } = details;

  if (ctx.method === 'GET' && !login) {
    if (prompt.name === 'login') {
      ctx.type = 'html';
      ctx.body = loginPage(uid);
      return undefined;
    }
    if (prompt.name === 'consent') {
      // Grant everything that was asked for, without a page.
      const { session: { accountId }, params } = details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      ctx.status = 303;
      ctx.redirect(returnTo);
      return undefined;
    }
    ctx.throw(400, `unsupported prompt ${prompt.name}`);
  }

  if (ctx.method === 'POST' && login) {
    if (prompt.name !== 'login') ctx.throw(400, `interaction is at prompt ${prompt.name}, not login`);
    const form = new URLSearchParams(await readBody(ctx));
    const sub = form.get('login') ?? '';
    if (!users.has(sub)) {
      ctx.type = 'html';
      ctx.body = loginPage(uid, { error: 'Unknown user', login: sub });
      return undefined;
    }
    // Same as provider.interactionFinished(req, res, result, opts), Koa style: 303 to
    // the authorization endpoint, which resumes the flow.
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  }

  return ctx.throw(405);
});

server.on('request', provider.callback());
process.stdout.write(`listening on ${issuer}\n`);
