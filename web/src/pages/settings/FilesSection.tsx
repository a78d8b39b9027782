// Uploads: how much of the quota they take, how long they are kept, and the list of them
// (newest first, a page at a time), each deletable.
import type { TFunction } from 'i18next';
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uploadsApi, type Upload, type UploadUsage } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TableHead } from '../../components/TableHead';
import { describeError } from '../../lib/errors';
import { formatBytes, formatPercent, timeSpan } from '../../lib/format';
import { formatDate } from '../../lib/time';

const PAGE = 50;
/** The most the server answers in one page. */
const MAX_PAGE = 200;

export function FilesSection() {
  const { t, i18n } = useTranslation();
  const [files, setFiles] = useState<Upload[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [usage, setUsage] = useState<UploadUsage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [deleting, setDeleting] = useState<Upload | null>(null);

  /** The list from its start (as many as `limit`) and the usage, afresh. */
  const refresh = useCallback(
    (limit = PAGE) =>
      Promise.all([
        uploadsApi
          .listUploads(undefined, limit)
          .then((page) => {
            setFiles(page.items);
            setCursor(page.next_cursor ?? null);
          })
          .catch((e) => setError(describeError(t, e))),
        uploadsApi
          .uploadUsage()
          .then(setUsage)
          .catch((e) => setError(describeError(t, e))),
      ]),
    [t],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await uploadsApi.listUploads(cursor, PAGE);
      setFiles((list) => {
        const known = new Set((list ?? []).map((f) => f.id));
        return [...(list ?? []), ...page.items.filter((f) => !known.has(f.id))];
      });
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setLoadingMore(false);
    }
  }

  async function remove(file: Upload) {
    setDeleting(null);
    setError(null);
    try {
      await uploadsApi.deleteUpload(file.id);
    } catch (e) {
      setError(describeError(t, e));
    }
    // Afresh either way (a 404 means it was gone already), keeping as many rows as were shown.
    await refresh(Math.min(MAX_PAGE, Math.max(PAGE, files?.length ?? 0)));
  }

  return (
    <section className="card" aria-labelledby="settings-files" data-testid="files-section">
      <h2 id="settings-files">{t('settings.files.title')}</h2>
      <p className="hint">{t('settings.files.intro')}</p>
      {usage && <UsageMeter usage={usage} lang={i18n.language} />}
      {usage?.retention_seconds != null && (
        <p className="hint" data-testid="files-retention">
          {retentionNote(t, usage.retention_seconds)}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {files && files.length === 0 && (
        <p className="hint" data-testid="files-empty">
          {t('settings.files.empty')}
        </p>
      )}
      {files && files.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="files-table">
            <TableHead
              columns={[t('settings.files.name'), t('settings.files.type'), { label: t('settings.files.size'), num: true }, t('settings.files.uploaded')]}
              actions={t('settings.files.delete')}
            />
            <tbody>
              {files.map((file) => (
                <tr key={file.id} data-testid="file-row">
                  <td className="file-name" title={file.name}>{file.name}</td>
                  <td title={file.mime}>{t(`settings.files.kinds.${file.kind}`)}</td>
                  <td className="num">{formatBytes(file.size, i18n.language)}</td>
                  <td>{formatDate(file.created_at, i18n.language)}</td>
                  <td>
                    <button
                      type="button"
                      className="button small danger"
                      onClick={() => setDeleting(file)}
                      aria-label={t('settings.files.deleteLabel', { name: file.name })}
                      data-testid="file-delete"
                    >
                      {t('settings.files.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <div>
          <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore} data-testid="files-load-more">
            {t('settings.files.loadMore')}
          </button>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('settings.files.deleteTitle')}
          body={t('settings.files.deleteBody', { name: deleting.name })}
          confirmLabel={t('settings.files.delete')}
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </section>
  );
}

/** "3 files · 8.0 KB of 1.0 GB" over a bar of the share of the quota used. */
function UsageMeter({ usage, lang }: { usage: UploadUsage; lang: string }) {
  const { t } = useTranslation();
  const labelId = useId();
  const used = formatBytes(usage.used_bytes, lang);
  const quota = formatBytes(usage.quota_bytes, lang);
  const share = usage.quota_bytes > 0 ? Math.min(1, usage.used_bytes / usage.quota_bytes) : 1;
  const percent = Math.round(share * 1000) / 10;
  return (
    <div className="files-usage">
      <p data-testid="files-usage">{t('settings.files.usage', { count: usage.files, used, quota })}</p>
      <span id={labelId} className="visually-hidden">
        {t('settings.files.meter')}
      </span>
      <div
        className={`meter${share >= 0.9 ? ' high' : ''}`}
        role="meter"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t('settings.files.meterText', { used, quota, percent: formatPercent(share, lang) })}
        data-testid="files-meter"
      >
        <div className="meter-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** "Files are deleted after 30 days." (or hours, or minutes, when shorter than a day). */
function retentionNote(t: TFunction, seconds: number): string {
  const { unit, count } = timeSpan(seconds);
  return t(`settings.files.retention.${unit}`, { count });
}
