import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import i18n from '../i18n';
import { ApiError, type RegistrationInfo } from '../api';

const api = vi.hoisted(() => ({ registration: vi.fn(), register: vi.fn(), login: vi.fn() }));
vi.mock('../api', async (original) => {
  const actual = await original<typeof import('../api')>();
  return { ...actual, authApi: { ...actual.authApi, registration: api.registration, register: api.register, login: api.login } };
});

const { LoginPage, RegisterPage } = await import('./AuthPages');
const { useRegistration } = await import('../stores/registration');

const info = (changes: Partial<RegistrationInfo> = {}): RegistrationInfo => ({
  mode: 'open',
  first_account_admin: false,
  needs_admin: false,
  has_accounts: true,
  password_login: true,
  providers: [],
  ...changes,
});

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

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  useRegistration.setState({ info: null, error: null });
});

describe('the sign-in page', () => {
  it('says “Welcome back” when accounts exist, with a register link in open mode', async () => {
    api.registration.mockResolvedValue(info());
    at('/login');
    await screen.findByTestId('register-link');
    expect(screen.getByRole('heading', { name: 'Welcome back' })).toBeTruthy();
  });

  it('invites creating the first account on a fresh install', async () => {
    api.registration.mockResolvedValue(info({ has_accounts: false, needs_admin: true, first_account_admin: true }));
    at('/login');
    await screen.findByTestId('first-run');
    expect(screen.queryByRole('heading', { name: 'Welcome back' })).toBeNull();
    expect(screen.getByTestId('first-account-link').getAttribute('href')).toBe('/register');
    expect(screen.queryByTestId('login-form')).toBeNull();
  });

  it('shows the CLI command when production has no admin', async () => {
    api.registration.mockResolvedValue(info({ has_accounts: true, needs_admin: true, first_account_admin: false }));
    at('/login');
    const note = await screen.findByTestId('needs-admin');
    expect(note.textContent).toContain('llmchat user create --admin NAME');
  });

  it('has no register link when registration is closed, a sentence instead', async () => {
    api.registration.mockResolvedValue(info({ mode: 'closed' }));
    at('/login');
    await screen.findByTestId('registration-closed');
    expect(screen.queryByTestId('register-link')).toBeNull();
  });
});

describe('the register page', () => {
  const fill = (username: string, password: string, confirm = password) => {
    fireEvent.change(screen.getByTestId('register-username'), { target: { value: username } });
    fireEvent.change(screen.getByTestId('register-password'), { target: { value: password } });
    fireEvent.change(screen.getByTestId('register-confirm'), { target: { value: confirm } });
  };

  it('says before submitting that the first account administers the server', async () => {
    api.registration.mockResolvedValue(info({ has_accounts: false, needs_admin: true, first_account_admin: true }));
    at('/register');
    expect((await screen.findByTestId('first-account-admin')).textContent).toBe('The first account administers this server: it gets the admin console.');
  });

  it('takes the invitation code from the link and sends it', async () => {
    api.registration.mockResolvedValue(info({ mode: 'invite' }));
    api.register.mockResolvedValue({});
    at('/register?invite=CODE42');
    const code = (await screen.findByTestId('register-invite')) as HTMLInputElement;
    expect(code.value).toBe('CODE42');
    fill('carol', 'a long passphrase');
    fireEvent.submit(screen.getByTestId('register-form'));
    await screen.findByText('home');
    expect(api.register).toHaveBeenCalledWith({ username: 'carol', password: 'a long passphrase', email: undefined, inviteCode: 'CODE42' });
  });

  it('puts the server’s refusal on the field it names, not under the form', async () => {
    api.registration.mockResolvedValue(info({ mode: 'invite' }));
    api.register.mockRejectedValue(Object.assign(new ApiError(422, 'invalid', 'invite_code: this invitation was already used'), { field: 'invite_code' }));
    at('/register?invite=USED');
    await screen.findByTestId('register-invite');
    fill('dave', 'a long passphrase');
    fireEvent.submit(screen.getByTestId('register-form'));
    const error = await screen.findByTestId('register-invite-error');
    expect(error.textContent).toBe('This invitation was already used');
    expect(screen.getByTestId('register-invite').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('register-error')).toBeNull();
  });

  it('shows a taken username on the username field', async () => {
    api.registration.mockResolvedValue(info());
    api.register.mockRejectedValue(Object.assign(new ApiError(409, 'conflict', 'username already taken'), { field: 'username' }));
    at('/register');
    await waitFor(() => expect(api.registration).toHaveBeenCalled());
    fill('alice', 'a long passphrase');
    fireEvent.submit(screen.getByTestId('register-form'));
    expect((await screen.findByTestId('register-username-error')).textContent).toBe('Username already taken');
  });

  it('checks that the passwords match before sending, on the confirm field', async () => {
    api.registration.mockResolvedValue(info());
    at('/register');
    fill('erin', 'a long passphrase', 'another passphrase');
    fireEvent.submit(screen.getByTestId('register-form'));
    expect((await screen.findByTestId('register-confirm-error')).textContent).toBe('The passwords do not match.');
    expect(api.register).not.toHaveBeenCalled();
  });

  it('says registration is closed instead of showing the form', async () => {
    api.registration.mockResolvedValue(info({ mode: 'closed' }));
    at('/register');
    await screen.findByTestId('registration-closed');
    expect(screen.queryByTestId('register-form')).toBeNull();
  });
});
