// Your data: download all of it in one archive (GET /api/auth/export), or delete the account
// (DELETE /api/auth/me, with the password again, or the username for an account without a
// password): deleted for good after the server's grace period unless cancelled (the banner
// above offers that), or at once when there is none.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, authApi } from '../../api';
import { PasswordField } from '../../components/PasswordField';
import { TextField } from '../../components/TextField';
import { DownloadIcon } from '../../components/icons';
import { saveBlob } from '../../lib/download';
import { describeError } from '../../lib/errors';
import { formatBytes } from '../../lib/format';
import { useAuth } from '../../stores/auth';
import { useDeletion } from '../../stores/deletion';

/** `hasPassword`: false for an account made by single sign-on, which confirms with its username. */
export function DataSection({ hasPassword = true }: { hasPassword?: boolean }) {
  const { t } = useTranslation();
  const scheduled = useDeletion((s) => s.deleteAfter !== null);
  const [deleting, setDeleting] = useState(false);
  return (
    <section className="card" aria-labelledby="settings-data" id="data" data-testid="settings-data">
      <h2 id="settings-data">{t('settings.data.title')}</h2>
      <ExportData />
      <div className="danger-zone">
        <h3>{t('settings.data.deleteTitle')}</h3>
        <p className="hint">{t('settings.data.deleteIntro')}</p>
        {scheduled && (
          <p className="hint" data-testid="delete-already">
            {t('settings.data.alreadyScheduled')}
          </p>
        )}
        <button type="button" className="button danger" onClick={() => setDeleting(true)} disabled={scheduled} data-testid="delete-account">
          {t('settings.data.delete')}
        </button>
      </div>
      {deleting && <DeleteAccountDialog hasPassword={hasPassword} onClose={() => setDeleting(false)} />}
    </section>
  );
}

function ExportData() {
  const { t, i18n } = useTranslation();
  // null: idle; a number: the bytes received so far.
  const [received, setReceived] = useState<number | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const busy = received !== null;

  async function download() {
    setReceived(0);
    setMessage(null);
    try {
      const { blob, filename } = await authApi.exportData(setReceived);
      saveBlob(blob, filename);
      setMessage({ ok: true, text: t('settings.data.downloaded', { name: filename, size: formatBytes(blob.size, i18n.language) }) });
    } catch (e) {
      setMessage({ ok: false, text: describeError(t, e) });
    } finally {
      setReceived(null);
    }
  }

  return (
    <div className="data-export">
      <h3>{t('settings.data.exportTitle')}</h3>
      <p className="hint">{t('settings.data.exportIntro')}</p>
      <button type="button" className="button" onClick={() => void download()} disabled={busy} aria-busy={busy} data-testid="export-data">
        {busy && <span className="spinner small" aria-hidden="true" />}
        {!busy && <DownloadIcon />}{' '}
        {busy
          ? received > 0
            ? t('settings.data.downloading', { size: formatBytes(received, i18n.language) })
            : t('settings.data.preparing')
          : t('settings.data.export')}
      </button>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'} data-testid="export-message">
          {message.text}
        </p>
      )}
    </div>
  );
}

/** Asks for the password (or the username), says what happens, and sends the request. */
function DeleteAccountDialog({ hasPassword, onClose }: { hasPassword: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const userId = useAuth((s) => s.user?.id);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const confirmation = hasPassword ? password : username.trim();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!confirmation) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await authApi.deleteAccount(hasPassword ? password : { username: confirmation });
      // `deleted`: the session has ended, and the app goes to the sign-in page.
      if (outcome.kind === 'scheduled') {
        if (userId) useDeletion.getState().set(userId, outcome.deleteAfter);
        onClose();
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_credentials') setError(t(hasPassword ? 'settings.data.wrongPassword' : 'settings.data.wrongUsername'));
      else if (e instanceof ApiError && e.status === 409) setError(t('settings.data.lastAdmin'));
      else setError(describeError(t, e));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => (e.preventDefault(), !busy && onClose())}
      data-testid="delete-dialog"
    >
      <form className="form" onSubmit={submit}>
        <h2 id={titleId}>{t('settings.data.dialogTitle')}</h2>
        <div id={bodyId}>
          <p>{t('settings.data.dialogBody')}</p>
          <p className="hint">{t('settings.data.dialogNoUndo')}</p>
        </div>
        {hasPassword ? (
          <PasswordField label={t('settings.data.password')} value={password} onChange={setPassword} autoComplete="current-password" testId="delete-password" />
        ) : (
          <TextField
            label={t('settings.data.username')}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            required
            testId="delete-username"
          />
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="delete-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy} autoFocus>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button danger" disabled={busy || !confirmation} data-testid="delete-confirm">
            {busy ? t('settings.data.deleting') : t('settings.data.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
