// Single sign-on on the sign-in and register pages, over a mocked fetch: one link per provider
// from GET /api/auth/registration (with `return_to` from the guard's `?next=`, and the
// invitation's `invite_code` on the register page), the password forms hidden when the server
// has switched passwords off, and the explanation of `/login?sso_error=<code>`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../i18n';
import type { RegistrationInfo } from '../api';
import { endSession } from '../api/session';
import { useRegistration } from '../stores/registration';
import { json, mockFetch, refusal } from '../test/fetch';

const { LoginPage, RegisterPage } = await import('./AuthPages');

const CORP = { id: 'corp', name: 'Corp SSO' };
const PARTNER = { id: 'partner-idp', name: 'Partner' };

const info = (changes: Partial<RegistrationInfo> = {}): RegistrationInfo => ({
  mode: 'open',
  first_account_admin: false,
  needs_admin: false,
  has_accounts: true,
  password_login: true,
  providers: [CORP, PARTNER],
  ...changes,
});

let server: ReturnType<typeof mockFetch>;

/** The server's registration rules are `rules`. */
const serve = (rules: RegistrationInfo) => server.on('GET', '/api/auth/registration', () => json(200, rules));

function at(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route path="/" element={<p>home</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

/** The provider buttons once the rules arrived: [label, href, provider] each. */
async function buttons() {
  await screen.findAllByTestId('sso-button');
  return screen.getAllByTestId('sso-button').map((b) => [b.textContent, b.getAttribute('href'), b.getAttribute('data-provider')]);
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
  server = mockFetch();
  useRegistration.setState({ info: null, error: null });
});
afterEach(() => {
  endSession('signed_out');
  vi.unstubAllGlobals();
});

describe('the sign-in page with single sign-on', () => {
  it('offers one button per provider under the password form, in the server’s order', async () => {
    serve(info());
    at('/login');
    expect(await buttons()).toEqual([
      ['Sign in with Corp SSO', '/api/auth/oidc/corp/start', 'corp'],
      ['Sign in with Partner', '/api/auth/oidc/partner-idp/start', 'partner-idp'],
    ]);
    // Plain links, below the password form (which is still there), after an "or".
    const form = screen.getByTestId('login-form');
    const group = screen.getByTestId('sso-buttons');
    expect(form.compareDocumentPosition(group) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(group.getAttribute('aria-label')).toBe('Single sign-on');
    expect(screen.getByText('or')).toBeTruthy();
    expect(screen.getByTestId('register-link')).toBeTruthy();
    expect(server.sent('GET', '/api/auth/registration')).toHaveLength(1);
  });

  it('brings the user back where the guard sent them from (`next`), as `return_to`', async () => {
    serve(info({ providers: [CORP] }));
    at(`/login?next=${encodeURIComponent('/c/42?q=a b')}`);
    const [[, href]] = (await buttons()) as [[string, string]];
    const url = new URL(href, 'http://localhost');
    expect(url.pathname).toBe('/api/auth/oidc/corp/start');
    expect(url.searchParams.get('return_to')).toBe('/c/42?q=a b');
    expect([...url.searchParams.keys()]).toEqual(['return_to']);
  });

  it('never sends the provider’s answer off this site: `next` that is not a path here is dropped', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'c/1']) {
      serve(info({ providers: [CORP] }));
      const { unmount } = at(`/login?next=${encodeURIComponent(next)}`);
      expect(await buttons(), next).toEqual([['Sign in with Corp SSO', '/api/auth/oidc/corp/start', 'corp']]);
      unmount();
    }
  });

  it('shows no provider section when the server has none', async () => {
    serve(info({ providers: [] }));
    at('/login');
    await screen.findByTestId('register-link');
    expect(screen.queryByTestId('sso-buttons')).toBeNull();
    expect(screen.queryByText('or')).toBeNull();
  });

  it('hides the password form and the register link when passwords are switched off', async () => {
    serve(info({ password_login: false, providers: [CORP] }));
    at('/login?next=%2Fsettings');
    const note = await screen.findByTestId('passwords-off');
    expect(note.textContent).toBe('Passwords are switched off on this server: sign in with your organisation’s account.');
    expect(await buttons()).toEqual([['Sign in with Corp SSO', '/api/auth/oidc/corp/start?return_to=%2Fsettings', 'corp']]);
    expect(screen.queryByTestId('login-form')).toBeNull();
    expect(screen.queryByTestId('login-password')).toBeNull();
    expect(screen.queryByTestId('register-link')).toBeNull();
    expect(screen.queryByTestId('registration-invite')).toBeNull();
    expect(screen.queryByTestId('registration-closed')).toBeNull();
    expect(screen.queryByText('or')).toBeNull();
  });

  it('with a directory (LDAP) the form stays, even with local passwords off, and says whose passwords it takes', async () => {
    serve(info({ password_login: false, providers: [CORP], directory: 'Example directory' }));
    at('/login');
    const hint = await screen.findByTestId('login-directory');
    expect(hint.textContent).toBe('People of Example directory sign in with their directory username (or email) and password.');
    expect(screen.getByTestId('login-form')).toBeTruthy();
    expect(screen.queryByTestId('passwords-off')).toBeNull();
    expect(await buttons()).toEqual([['Sign in with Corp SSO', '/api/auth/oidc/corp/start', 'corp']]);
    expect(screen.queryByTestId('register-link')).toBeNull();
  });

  it('on a fresh install without passwords, the first sign-in goes through the provider (no “create the first account”)', async () => {
    serve(info({ password_login: false, has_accounts: false, needs_admin: true, first_account_admin: true, providers: [CORP] }));
    at('/login');
    await buttons();
    expect(screen.queryByTestId('first-run')).toBeNull();
    expect(screen.queryByTestId('first-account-link')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Welcome to LLMChat' })).toBeTruthy();
  });

  it('explains a password sign-in refused because passwords were switched off meanwhile', async () => {
    serve(info({ providers: [CORP] }));
    server.on('POST', '/api/auth/login', () => refusal(403, 'password_login_disabled', 'passwords are switched off on this server'));
    at('/login');
    await buttons();
    fireEvent.change(screen.getByTestId('login-username'), { target: { value: 'ada' } });
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'a long passphrase' } });
    fireEvent.submit(screen.getByTestId('login-form'));
    const alert = await within(screen.getByTestId('login-form')).findByRole('alert');
    expect(alert.textContent).toBe('Passwords are switched off on this server: sign in with your organisation’s account.');
  });
});

describe('the failure of a single sign-on (`?sso_error=`)', () => {
  const messages: [string, string][] = [
    ['denied', 'Signing in was cancelled or refused at the provider.'],
    ['state_mismatch', 'This sign-in could not be matched to this browser (it may have started in another browser or window). Start again from this page.'],
    ['state_unknown', 'This sign-in link was already used or has expired. Start again.'],
    ['provider_unavailable', 'The sign-in provider cannot be reached right now. Try again later.'],
    ['token_rejected', 'The provider’s answer failed the security checks, so you were not signed in. Try again; if it keeps happening, tell an administrator.'],
    ['no_account', 'No account on this server belongs to this identity. Ask an administrator for access.'],
    ['invitation_required', 'A new account needs an invitation: open the invitation link you were sent, and sign in from there.'],
    ['invitation_unknown', 'This invitation is unknown, already used or expired. Ask an administrator for a new one.'],
    ['account_disabled', 'This account is disabled. Ask an administrator.'],
    ['server_error', 'Something went wrong on the server while signing you in. Try again.'],
    // A code this UI does not know (a newer server): a generic sentence, never the raw code.
    ['something_new', 'Single sign-on did not work. Try again, or ask an administrator.'],
  ];

  it.each(messages)('%s: explained in an alert above the buttons', async (code, message) => {
    serve(info({ providers: [CORP] }));
    at(`/login?sso_error=${code}`);
    const alert = await screen.findByTestId('sso-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe(message);
    await buttons();
    expect(alert.compareDocumentPosition(screen.getByTestId('sso-buttons')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('is not carried to the register page (the `next` is)', async () => {
    serve(info({ providers: [CORP] }));
    at('/login?sso_error=no_account&next=%2Fusage');
    await screen.findByTestId('sso-error');
    expect(screen.getByTestId('register-link').getAttribute('href')).toBe('/register?next=%2Fusage');
  });

  it('no alert without a failure', async () => {
    serve(info({ providers: [CORP] }));
    at('/login');
    await buttons();
    expect(screen.queryByTestId('sso-error')).toBeNull();
  });

  it('speaks Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    serve(info({ providers: [CORP] }));
    at('/login?sso_error=state_unknown');
    expect((await screen.findByTestId('sso-error')).textContent).toBe('该登录链接已被使用或已过期，请重新开始。');
    expect(await buttons()).toEqual([['使用 Corp SSO 登录', '/api/auth/oidc/corp/start', 'corp']]);
  });
});

describe('the register page with single sign-on', () => {
  it('with an invitation, also offers the providers, with the code', async () => {
    serve(info({ mode: 'invite' }));
    at('/register?invite=CODE42');
    expect(await buttons()).toEqual([
      ['Or sign up with Corp SSO', '/api/auth/oidc/corp/start?invite_code=CODE42', 'corp'],
      ['Or sign up with Partner', '/api/auth/oidc/partner-idp/start?invite_code=CODE42', 'partner-idp'],
    ]);
    // The password form stays, above them.
    expect(screen.getByTestId('register-form').compareDocumentPosition(screen.getByTestId('sso-buttons')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('keeps `next` as `return_to`, and follows the code as it is edited', async () => {
    serve(info({ mode: 'invite', providers: [CORP] }));
    at('/register?invite=CODE42&next=%2Fc%2F7');
    expect(await buttons()).toEqual([['Or sign up with Corp SSO', '/api/auth/oidc/corp/start?return_to=%2Fc%2F7&invite_code=CODE42', 'corp']]);
    fireEvent.change(screen.getByTestId('register-invite'), { target: { value: ' NEW+CODE ' } });
    expect(screen.getByTestId('sso-button').getAttribute('href')).toBe('/api/auth/oidc/corp/start?return_to=%2Fc%2F7&invite_code=NEW%2BCODE');
    // No code, no invitation to take along: no buttons (a plain sign-in is on the sign-in page).
    fireEvent.change(screen.getByTestId('register-invite'), { target: { value: '' } });
    expect(screen.queryByTestId('sso-button')).toBeNull();
  });

  it('offers no provider without an invitation while passwords work', async () => {
    serve(info());
    at('/register');
    await waitFor(() => expect(server.sent('GET', '/api/auth/registration')).toHaveLength(1));
    await screen.findByTestId('register-form');
    expect(screen.queryByTestId('sso-button')).toBeNull();
  });

  it('hides the password form when passwords are off, keeping the invitation and the providers', async () => {
    serve(info({ mode: 'invite', password_login: false, providers: [CORP] }));
    at('/register?invite=CODE42');
    expect(await buttons()).toEqual([['Sign up with Corp SSO', '/api/auth/oidc/corp/start?invite_code=CODE42', 'corp']]);
    expect(screen.queryByTestId('register-form')).toBeNull();
    expect(screen.queryByTestId('register-password')).toBeNull();
    expect(screen.queryByTestId('register-username')).toBeNull();
    expect((screen.getByTestId('register-invite') as HTMLInputElement).value).toBe('CODE42');
    expect(screen.getByTestId('passwords-off').textContent).toContain('Passwords are switched off on this server');
  });

  it('without passwords and without a link, explains the invitation and takes a pasted code', async () => {
    serve(info({ mode: 'invite', password_login: false, providers: [CORP] }));
    at('/register');
    await screen.findByTestId('passwords-off');
    expect(screen.getByText(/You need an invitation from an administrator/)).toBeTruthy();
    // The providers are the only way in: offered at once (the provider's rules decide).
    expect(screen.getByTestId('sso-button').getAttribute('href')).toBe('/api/auth/oidc/corp/start');
    fireEvent.change(screen.getByTestId('register-invite'), { target: { value: 'PASTED' } });
    expect(screen.getByTestId('sso-button').getAttribute('href')).toBe('/api/auth/oidc/corp/start?invite_code=PASTED');
  });

  it('in Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    serve(info({ mode: 'invite', providers: [CORP] }));
    at('/register?invite=CODE42');
    expect((await buttons())[0]![0]).toBe('或使用 Corp SSO 注册');
  });
});
