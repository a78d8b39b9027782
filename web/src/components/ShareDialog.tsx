// Sharing a conversation: choose how long the link lives and who may open it, create it, copy
// its address; the conversation's earlier links are listed below, each revocable.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbort, sharesApi, type Share } from '../api';
import { describeError, fieldError } from '../lib/errors';
import { newShareBody, SHARE_EXPIRIES, shareStatus, shareUrl, type ShareExpiry } from '../lib/shares';
import { formatDate } from '../lib/time';
import { useCopy } from '../lib/useCopy';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { CheckIcon, CopyIcon } from './icons';

export function ShareDialog({ conversationId, title, onClose }: { conversationId: string; title: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const expiryId = useId();
  const [expiry, setExpiry] = useState<ShareExpiry>('never');
  const [membersOnly, setMembersOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Share | null>(null);
  const [links, setLinks] = useState<Share[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Share | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    sharesApi.listConversationShares(conversationId, controller.signal).then(
      (list) => setLinks(list.items),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(describeError(t, e)),
    );
    return () => controller.abort();
  }, [conversationId, t]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const share = await sharesApi.createShare(conversationId, newShareBody(expiry, membersOnly));
      setCreated(share);
      setLinks((list) => [share, ...(list ?? []).filter((s) => s.id !== share.id)]);
    } catch (e) {
      // 422: nothing to share yet, or an expiry out of range; the server says which.
      setError(fieldError(e, ['conversation', 'expires_in_days'])?.message ?? describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(share: Share) {
    setRevoking(null);
    setError(null);
    try {
      await sharesApi.revokeShare(share.id);
      const revokedAt = new Date().toISOString();
      setLinks((list) => (list ?? []).map((s) => (s.id === share.id ? { ...s, status: 'revoked', revoked_at: revokedAt } : s)));
      if (created?.id === share.id) setCreated(null);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog share-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!revoking) onClose();
      }}
      data-testid="share-dialog"
    >
      <form className="form" onSubmit={create} noValidate>
        <h2 id={titleId}>{t('share.title', { title })}</h2>
        <p className="hint">{t('share.intro')}</p>
        <div className="field">
          <label htmlFor={expiryId}>{t('share.expiry')}</label>
          <select id={expiryId} value={expiry} onChange={(e) => setExpiry(e.target.value as ShareExpiry)} data-testid="share-expiry">
            {SHARE_EXPIRIES.map((e) => (
              <option key={e} value={e}>
                {t(`share.expiries.${e}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={membersOnly} onChange={(e) => setMembersOnly(e.target.checked)} data-testid="share-members-only" />
          {t('share.membersOnly')}
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="share-error">
            {error}
          </p>
        )}
        <div>
          <button type="submit" className="button primary" disabled={busy} data-testid="share-create">
            {busy ? t('share.creating') : t('share.create')}
          </button>
        </div>
      </form>
      {created && (
        <div className="new-key" role="status" data-testid="share-created">
          <p>{t('share.created')}</p>
          <CopyField value={shareUrl(created)} testId="share-url" />
        </div>
      )}
      <h3 className="share-links-title">{t('share.links')}</h3>
      {links && links.length === 0 && <p className="hint">{t('share.noLinks')}</p>}
      {links && links.length > 0 && (
        <ul className="share-links" data-testid="share-links">
          {links.map((share) => {
            const status = shareStatus(share);
            return (
              <li key={share.id} className="share-link" data-testid="share-link" data-status={status} data-id={share.id}>
                <div className="share-link-text">
                  <span>
                    <ShareStatusBadge status={status} /> {t('share.createdOn', { date: formatDate(share.created_at, i18n.language) })}
                  </span>
                  <span className="hint">
                    {share.members_only ? t('share.members') : t('share.anyone')} ·{' '}
                    {share.expires_at ? t('share.expiresOn', { date: formatDate(share.expires_at, i18n.language) }) : t('share.noExpiry')} ·{' '}
                    {t('share.messages', { count: share.message_count })}
                  </span>
                </div>
                {status === 'live' && (
                  <div className="share-link-actions">
                    <CopyLinkButton share={share} />
                    <button
                      type="button"
                      className="button small danger"
                      onClick={() => setRevoking(share)}
                      aria-label={t('share.revokeLabel', { date: formatDate(share.created_at, i18n.language) })}
                      data-testid="share-revoke"
                    >
                      {t('share.revoke')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-testid="share-close">
          {t('common.close')}
        </button>
      </div>
      {revoking && (
        <ConfirmDialog
          title={t('share.revokeTitle')}
          body={t('share.revokeBody', { title: revoking.title || title })}
          confirmLabel={t('share.revoke')}
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </dialog>
  );
}

export function ShareStatusBadge({ status }: { status: ReturnType<typeof shareStatus> }) {
  const { t } = useTranslation();
  return (
    <span className={`badge share-status ${status}`} data-testid="share-status">
      {t(`share.status.${status}`)}
    </span>
  );
}

/** Copies the link's full address; a tick for a moment says it worked. */
export function CopyLinkButton({ share }: { share: Share }) {
  const { t } = useTranslation();
  const { copied, copy } = useCopy();
  return (
    <button type="button" className="button small" onClick={() => void copy(shareUrl(share))} data-testid="share-copy">
      {copied ? <CheckIcon /> : <CopyIcon />} {copied ? t('common.copied') : t('share.copyLink')}
    </button>
  );
}
