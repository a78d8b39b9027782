import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/time';
import { useDeletion } from '../stores/deletion';

/** "Your account will be deleted on …", with the button that cancels it; nothing when no deletion is scheduled. */
export function DeletionBanner() {
  const { t, i18n } = useTranslation();
  const deleteAfter = useDeletion((s) => s.deleteAfter);
  const cancel = useDeletion((s) => s.cancel);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!deleteAfter) return null;

  async function restore() {
    setBusy(true);
    setError(null);
    try {
      await cancel();
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="banner warn deletion-banner" role="status" data-testid="deletion-banner" data-delete-after={deleteAfter}>
      <div>
        <p>
          <strong>{t('settings.data.scheduled', { date: formatDate(deleteAfter, i18n.language) })}</strong>
        </p>
        <p className="hint">{t('settings.data.scheduledHint')}</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="button" className="button primary" onClick={() => void restore()} disabled={busy} data-testid="deletion-cancel">
        {busy ? t('settings.data.cancelling') : t('settings.data.cancel')}
      </button>
    </div>
  );
}
