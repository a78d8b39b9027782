// Shared links: every link the user made to their conversations, live or not, to copy or revoke.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isAbort, sharesApi, type Share } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyLinkButton, ShareStatusBadge } from '../../components/ShareDialog';
import { TableHead } from '../../components/TableHead';
import { describeError } from '../../lib/errors';
import { shareStatus } from '../../lib/shares';
import { formatDate } from '../../lib/time';

export function SharesSection() {
  const { t, i18n } = useTranslation();
  const [shares, setShares] = useState<Share[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Share | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    sharesApi.listShares(controller.signal).then(
      (list) => setShares(list.items),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(describeError(t, e)),
    );
    return () => controller.abort();
  }, [t]);

  async function revoke(share: Share) {
    setRevoking(null);
    setError(null);
    try {
      await sharesApi.revokeShare(share.id);
      const revokedAt = new Date().toISOString();
      setShares((list) => (list ?? []).map((s) => (s.id === share.id ? { ...s, status: 'revoked', revoked_at: revokedAt } : s)));
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  const untitled = t('sidebar.untitled');
  return (
    <section className="card" aria-labelledby="settings-shares" data-testid="settings-shares">
      <h2 id="settings-shares">{t('share.settings.title')}</h2>
      <p className="hint">{t('share.settings.intro')}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {shares && shares.length === 0 && (
        <p className="hint" data-testid="shares-empty">
          {t('share.settings.empty')}
        </p>
      )}
      {shares && shares.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="shares-table">
            <TableHead
              columns={[t('share.settings.conversation'), t('share.settings.created'), t('share.settings.expires'), t('share.settings.status'), t('share.settings.access')]}
              actions={t('share.revoke')}
            />
            <tbody>
              {shares.map((share) => {
                const status = shareStatus(share);
                return (
                  <tr key={share.id} data-testid="share-row" data-status={status} data-id={share.id}>
                    <td className="share-row-title">
                      <Link to={`/c/${share.conversation_id}`}>{share.title || untitled}</Link>
                    </td>
                    <td>{formatDate(share.created_at, i18n.language)}</td>
                    <td>{share.expires_at ? formatDate(share.expires_at, i18n.language) : t('common.never')}</td>
                    <td>
                      <ShareStatusBadge status={status} />
                    </td>
                    <td>{share.members_only ? t('share.members') : t('share.anyone')}</td>
                    <td>
                      {status === 'live' && (
                        <span className="share-link-actions">
                          <CopyLinkButton share={share} />
                          <button type="button" className="button small danger" onClick={() => setRevoking(share)} data-testid="share-revoke">
                            {t('share.revoke')}
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('share.revokeTitle')}
          body={t('share.revokeBody', { title: revoking.title || untitled })}
          confirmLabel={t('share.revoke')}
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </section>
  );
}
