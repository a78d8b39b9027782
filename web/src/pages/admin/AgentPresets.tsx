// Shared presets of an agent: the prompts admins give everyone who uses it (`shared: true`),
// offered by the composer's preset menu next to the users' own. Listed, added and deleted here.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbort, presetsApi, type AdminAgent, type Preset } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PresetContentField, PresetTitleField } from '../../components/PresetFields';
import { describeError, fieldError } from '../../lib/errors';
import { byTitle } from '../../lib/presets';

export function SharedPresetsDialog({ agent, onClose }: { agent: AdminAgent; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [presets, setPresets] = useState<Preset[] | null>(null);
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [errors, setErrors] = useState<{ title?: string; content?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<Preset | null>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  // The admin's list for the agent also holds their own presets: only the shared ones here.
  useEffect(() => {
    const controller = new AbortController();
    presetsApi.listPresets(agent.id, controller.signal).then(
      (list) => setPresets(list.items.filter((p) => p.shared && p.agent_id === agent.id)),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(describeError(tc, e)),
    );
    return () => controller.abort();
  }, [agent.id, tc]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    setNotice(null);
    try {
      const preset = await presetsApi.createPreset({ title: title.trim(), content: content.trim(), agent_id: agent.id, shared: true });
      setPresets((list) => byTitle([...(list ?? []), preset]));
      setTitle('');
      setContent('');
      setNotice(t('presets.created', { title: preset.title }));
    } catch (e) {
      const found = fieldError(e, ['title', 'content'] as const);
      if (found) setErrors({ [found.field]: found.message });
      else setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  async function remove(preset: Preset) {
    setDeleting(null);
    setError(null);
    setNotice(null);
    try {
      await presetsApi.deletePreset(preset.id);
      setPresets((list) => (list ?? []).filter((p) => p.id !== preset.id));
      setNotice(t('presets.deleted', { title: preset.title }));
    } catch (e) {
      setError(describeError(tc, e));
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog share-dialog"
      aria-labelledby={titleId}
      // A confirmation open on top takes Escape for itself.
      onCancel={(e) => (e.preventDefault(), !deleting && onClose())}
      data-testid="presets-dialog"
    >
      <h2 id={titleId}>{t('presets.title', { name: agent.name })}</h2>
      <p className="hint">{t('presets.intro')}</p>
      {presets && presets.length === 0 && (
        <p className="hint" data-testid="shared-presets-empty">
          {t('presets.empty')}
        </p>
      )}
      {presets && presets.length > 0 && (
        <ul className="share-links" data-testid="shared-presets">
          {presets.map((preset) => (
            <li key={preset.id} className="share-link" data-testid="shared-preset" data-id={preset.id}>
              <span className="share-link-text">
                <strong>{preset.title}</strong>
                <span className="hint preset-content">{preset.content}</span>
              </span>
              <button
                type="button"
                className="button small danger"
                onClick={() => setDeleting(preset)}
                aria-label={t('presets.deleteNamed', { title: preset.title })}
                data-testid="shared-preset-delete"
              >
                {tc('common.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={create} aria-label={t('presets.new')} data-testid="shared-preset-form">
        <h3 className="share-links-title">{t('presets.new')}</h3>
        <PresetTitleField label={t('presets.name')} value={title} onChange={setTitle} error={errors.title} testId="shared-preset-title" />
        <PresetContentField label={t('presets.content')} value={content} onChange={setContent} error={errors.content} testId="shared-preset-content" />
        {error && (
          <p className="form-error" role="alert" data-testid="shared-presets-error">
            {error}
          </p>
        )}
        {notice && (
          <p className="form-ok" role="status" data-testid="shared-presets-notice">
            {notice}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose} data-testid="shared-presets-close">
            {tc('common.close')}
          </button>
          <button type="submit" className="button primary" disabled={busy || !title.trim() || !content.trim()} data-testid="shared-preset-create">
            {t('presets.create')}
          </button>
        </div>
      </form>
      {deleting && (
        <ConfirmDialog
          title={t('presets.deleteTitle')}
          body={t('presets.deleteBody', { title: deleting.title })}
          confirmLabel={tc('common.delete')}
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </dialog>
  );
}
