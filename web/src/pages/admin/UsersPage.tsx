// Accounts: search, create, change role, disable or enable, reset a password, set a budget.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type Budget, type Role, type User } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TableHead } from '../../components/TableHead';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useAuth } from '../../stores/auth';
import { BudgetForm } from './BudgetForm';
import { LoadError, Loading, NoticeBanner, PageTitle, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

export default function UsersPage() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<User[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [creating, setCreating] = useState(false);
  const [confirm, setConfirm] = useState<{ user: User; action: 'disable' | 'role' } | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [budgeting, setBudgeting] = useState<User | null>(null);
  const [run, setRun] = useState(0);
  const searchId = useId();

  // The list for the search, a moment after typing stops.
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      adminApi.listUsers({ q: query, limit: 50 }, controller.signal).then(
        (page) => {
          setUsers(page.items);
          setCursor(page.next_cursor ?? null);
          setError(null);
        },
        (e: unknown) => !controller.signal.aborted && setError(e),
      );
    }, query ? 250 : 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, run]);

  async function more() {
    if (!cursor) return;
    try {
      const page = await adminApi.listUsers({ q: query, cursor, limit: 50 });
      setUsers((list) => [...(list ?? []), ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(e);
    }
  }

  async function change(user: User, patch: { role?: Role; disabled?: boolean; password?: string }, done: string) {
    try {
      const updated = await adminApi.updateUser(user.id, patch);
      setUsers((list) => (list ?? []).map((u) => (u.id === updated.id ? updated : u)));
      setNotice({ ok: true, text: done });
    } catch (e) {
      setNotice({ ok: false, text: describeError(tc, e) });
    }
  }

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-users">
      <PageTitle
        title={t('users.title')}
        actions={
          <button type="button" className="button primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating} data-testid="new-user">
            {t('users.new')}
          </button>
        }
      />
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {creating && (
        <CreateUser
          onCreated={(user) => {
            setCreating(false);
            setNotice({ ok: true, text: t('users.created', { name: user.username }) });
            setRun((n) => n + 1);
          }}
        />
      )}
      <div className="admin-filters" role="search">
        <label htmlFor={searchId}>{t('users.search')}</label>
        <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('users.searchPlaceholder')} data-testid="user-search" />
      </div>
      {error ? <LoadError error={error} onRetry={() => setRun((n) => n + 1)} /> : null}
      {users === null && !error && <Loading />}
      {users && (
        <div className="table-wrap">
          <table className="table stacked" data-testid="users-table">
            <TableHead columns={[t('users.username'), t('users.email'), t('users.role'), t('users.status'), t('users.lastLogin')]} actions={t('agents.actions')} />
            <tbody>
              {users.length === 0 && (
                <tr>
                  <td colSpan={6}>{t('users.none')}</td>
                </tr>
              )}
              {users.map((user) => (
                <UserRow
                  key={user.id}
                  user={user}
                  onRole={() => setConfirm({ user, action: 'role' })}
                  onDisable={() =>
                    user.disabled
                      ? void change(user, { disabled: false }, t('users.enabledNotice', { name: user.username }))
                      : setConfirm({ user, action: 'disable' })
                  }
                  onReset={() => setResetting(user)}
                  onBudget={() => setBudgeting(user)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="button ghost wide" onClick={() => void more()}>
          {t('loadMore')}
        </button>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.action === 'disable' ? t('users.disableTitle', { name: confirm.user.username }) : t('users.roleTitle', { name: confirm.user.username })}
          body={
            confirm.action === 'disable'
              ? t('users.disableBody')
              : t(confirm.user.role === 'admin' ? 'users.demoteBody' : 'users.promoteBody', { name: confirm.user.username })
          }
          confirmLabel={confirm.action === 'disable' ? t('users.disable') : confirm.user.role === 'admin' ? t('users.makeUser') : t('users.makeAdmin')}
          danger={confirm.action === 'disable'}
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const { user, action } = confirm;
            setConfirm(null);
            if (action === 'disable') void change(user, { disabled: true }, t('users.disabledNotice', { name: user.username }));
            else {
              const role: Role = user.role === 'admin' ? 'user' : 'admin';
              void change(user, { role }, t('users.roleNotice', { name: user.username, role: t(`roles.${role}`) }));
            }
          }}
        />
      )}
      {resetting && (
        <ResetPassword
          user={resetting}
          onClose={() => setResetting(null)}
          onDone={() => {
            setNotice({ ok: true, text: t('users.resetNotice', { name: resetting.username }) });
            setResetting(null);
          }}
        />
      )}
      {budgeting && (
        <BudgetDialog
          user={budgeting}
          onClose={() => setBudgeting(null)}
          onDone={(budget) => {
            setNotice({ ok: true, text: t(budget ? 'budgets.savedNamed' : 'budgets.removedNamed', { name: budgeting.username }) });
            setBudgeting(null);
          }}
        />
      )}
    </section>
  );
}

function UserRow({ user, onRole, onDisable, onReset, onBudget }: {
  user: User;
  onRole: () => void;
  onDisable: () => void;
  onReset: () => void;
  onBudget: () => void;
}) {
  const { t, i18n } = useTranslation('admin');
  const me = useAuth((s) => s.user?.id) === user.id;
  return (
    <tr data-testid="user-row" data-username={user.username}>
      <th scope="row">
        {user.username}
        {me && <span className="hint"> · {t('users.you')}</span>}
      </th>
      <td data-label={t('users.email')}>{user.email ?? '—'}</td>
      <td data-label={t('users.role')}>
        <StatusBadge tone={user.role === 'admin' ? 'warn' : 'neutral'}>{t(`roles.${user.role}`)}</StatusBadge>
      </td>
      <td data-label={t('users.status')}>
        <StatusBadge tone={user.disabled ? 'bad' : 'ok'}>{user.disabled ? t('users.disabled') : t('users.active')}</StatusBadge>
      </td>
      <td data-label={t('users.lastLogin')}>{user.last_login_at ? formatDateTime(user.last_login_at, i18n.language) : t('users.never')}</td>
      <td>
        <div className="row-actions">
          <button type="button" className="button small" onClick={onRole} disabled={me} data-testid="user-role">
            {user.role === 'admin' ? t('users.makeUser') : t('users.makeAdmin')}
          </button>
          <button type="button" className="button small" onClick={onDisable} disabled={me} data-testid="user-disable">
            {user.disabled ? t('users.enable') : t('users.disable')}
          </button>
          <button type="button" className="button small" onClick={onReset} data-testid="user-reset">
            {t('users.reset')}
          </button>
          <button
            type="button"
            className="button small"
            onClick={onBudget}
            aria-label={t('budgets.openNamed', { name: user.username })}
            data-testid="user-budget-open"
          >
            {t('budgets.open')}
          </button>
        </div>
      </td>
    </tr>
  );
}

function CreateUser({ onCreated }: { onCreated: (user: User) => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { username: useId(), email: useId(), password: useId(), role: useId() };
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await adminApi.createUser({ username: username.trim(), email: email.trim() || null, password, role }));
    } catch (e) {
      setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={t('users.new')} data-testid="create-user">
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.username}>{t('users.username')}</label>
          <input ref={first} id={ids.username} value={username} onChange={(e) => setUsername(e.target.value)} required minLength={3} maxLength={32} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.email}>{t('users.emailOptional')}</label>
          <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.password}>{t('users.password')}</label>
          <input id={ids.password} type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} autoComplete="new-password" />
          <span className="hint">{t('users.passwordHint')}</span>
        </div>
        <div className="field">
          <label htmlFor={ids.role}>{t('users.role')}</label>
          <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="user">{t('roles.user')}</option>
            <option value="admin">{t('roles.admin')}</option>
          </select>
        </div>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {t('users.create')}
        </button>
      </div>
    </form>
  );
}

function ResetPassword({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const inputId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await adminApi.updateUser(user.id, { password });
      onDone();
    } catch (e) {
      setError(describeError(tc, e));
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), onClose())}>
      <form className="form" onSubmit={submit}>
        <h2 id={titleId}>{t('users.resetTitle', { name: user.username })}</h2>
        <p className="hint">{t('users.resetBody')}</p>
        <div className="field">
          <label htmlFor={inputId}>{t('users.newPassword')}</label>
          <input id={inputId} type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} autoComplete="new-password" autoFocus data-testid="reset-password" />
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>
            {tc('common.cancel')}
          </button>
          <button type="submit" className="button primary" data-testid="reset-submit">
            {t('users.reset')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** One user's own budget, in a dialog: loaded from every budget, saved or removed. */
function BudgetDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: (budget: Budget | null) => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const budgets = useLoad((signal) => adminApi.listBudgets(signal), `budgets:${user.id}`);
  const budget = budgets.data?.items.find((b) => b.scope === 'user' && b.id === user.id) ?? null;
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog budget-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => (e.preventDefault(), onClose())}
      data-testid="user-budget"
      data-username={user.username}
    >
      <h2 id={titleId}>{t('budgets.dialogTitle', { name: user.username })}</h2>
      <p className="hint">{t('budgets.userIntro')}</p>
      {budgets.error ? <LoadError error={budgets.error} onRetry={budgets.reload} /> : null}
      {!budgets.data && !budgets.error && <Loading />}
      {budgets.data && <BudgetForm scope="user" id={user.id} currency={budgets.data.currency} budget={budget} onChange={onDone} autoFocus />}
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onClose} data-testid="user-budget-close">
          {tc('common.close')}
        </button>
      </div>
    </dialog>
  );
}
