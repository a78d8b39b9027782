// The data lifecycle: what the hourly pass would delete now (a dry run: accounts whose grace
// period is over, conversations past their groups' retention, orphaned uploads), and running
// it at once, with a confirmation, to see what it deleted.
import { useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, type LifecycleSwept } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { describeError } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { LoadError, Loading, NoticeBanner, type Notice } from './shared';
import { useLoad } from './useLoad';

export function LifecycleSection() {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const preview = useLoad((signal) => adminApi.lifecyclePreview(signal), 'lifecycle');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [swept, setSwept] = useState<LifecycleSwept | null>(null);
  const number = (n: number) => formatNumber(n, i18n.language);

  async function run() {
    setConfirming(false);
    setBusy(true);
    setNotice(null);
    setSwept(null);
    try {
      setSwept(await adminApi.runLifecycle());
      setNotice({ ok: true, text: t('lifecycle.ran') });
      preview.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error) });
    } finally {
      setBusy(false);
    }
  }

  const data = preview.data;
  return (
    <section className="card lifecycle-card" aria-labelledby="system-lifecycle" data-testid="lifecycle" data-loading={preview.loading || undefined}>
      <div className="card-title-row">
        <h3 id="system-lifecycle">{t('lifecycle.title')}</h3>
        <button type="button" className="button small" onClick={preview.reload} disabled={preview.loading} data-testid="lifecycle-refresh">
          {t('lifecycle.refresh')}
        </button>
      </div>
      <p className="hint">{t('lifecycle.intro')}</p>
      {preview.error ? <LoadError error={preview.error} onRetry={preview.reload} /> : null}
      {!data && !preview.error && <Loading />}
      {data && (
        <>
          <dl className="facts" data-testid="lifecycle-preview">
            <dt>{t('lifecycle.accountsDue')}</dt>
            <dd data-testid="lifecycle-accounts">{number(data.accounts_due)}</dd>
            <dt>{t('lifecycle.conversationsDue')}</dt>
            <dd data-testid="lifecycle-conversations">{number(data.conversations_due)}</dd>
            <dt>{t('lifecycle.uploadsDue')}</dt>
            <dd data-testid="lifecycle-uploads">{number(data.orphan_uploads_due)}</dd>
          </dl>
          <h4>{t('lifecycle.groups')}</h4>
          {data.groups.length === 0 ? (
            <p className="hint" data-testid="lifecycle-no-groups">
              {t('lifecycle.noGroups')}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table stacked" data-testid="lifecycle-groups">
                <thead>
                  <tr>
                    <th scope="col">{t('lifecycle.group')}</th>
                    <th scope="col" className="num">
                      {t('lifecycle.retention')}
                    </th>
                    <th scope="col" className="num">
                      {t('lifecycle.due')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={g.id} data-testid="lifecycle-group" data-group={g.name}>
                      <th scope="row">
                        <Link to={`/admin/groups/${encodeURIComponent(g.id)}`}>{g.name}</Link>
                      </th>
                      <td className="num" data-label={t('lifecycle.retention')} data-testid="lifecycle-group-retention">
                        {t('lifecycle.days', { count: g.retention_days })}
                      </td>
                      <td className="num" data-label={t('lifecycle.due')} data-testid="lifecycle-group-due">
                        {number(g.conversations_due)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <div className="form-actions start">
        <button type="button" className="button danger" onClick={() => setConfirming(true)} disabled={busy} data-testid="lifecycle-run">
          {busy ? t('lifecycle.running') : t('lifecycle.run')}
        </button>
      </div>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {swept && <h4>{t('lifecycle.deleted')}</h4>}
      {swept && (
        <dl className="facts" data-testid="lifecycle-swept" aria-label={t('lifecycle.deleted')}>
          <dt>{t('lifecycle.accounts')}</dt>
          <dd data-testid="swept-accounts">{number(swept.accounts)}</dd>
          <dt>{t('lifecycle.conversations')}</dt>
          <dd data-testid="swept-conversations">{number(swept.conversations)}</dd>
          <dt>{t('lifecycle.uploads')}</dt>
          <dd data-testid="swept-uploads">{number(swept.uploads)}</dd>
        </dl>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('lifecycle.confirmTitle')}
          body={t('lifecycle.confirmBody')}
          confirmLabel={t('lifecycle.run')}
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => void run()}
        />
      )}
    </section>
  );
}
