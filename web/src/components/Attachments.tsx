import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbort, uploadsApi, type Upload } from '../api';
import { CloseIcon, FileIcon } from './icons';

export interface PendingFile {
  key: string;
  file: File;
  /** A blob: URL of the local file, for image previews. */
  preview: string | null;
  upload: Upload | null;
  error: string | null;
}

/** The files about to be sent: thumbnails or chips, each removable. */
export function PendingAttachments({ files, onRemove }: { files: PendingFile[]; onRemove: (key: string) => void }) {
  const { t } = useTranslation();
  if (files.length === 0) return null;
  return (
    <ul className="pending-files" aria-label={t('chat.attachment')} data-testid="pending-files">
      {files.map((f) => (
        <li key={f.key} className={`pending-file${f.error ? ' failed' : ''}`} title={f.error ?? f.file.name}>
          {f.preview ? <img src={f.preview} alt={f.file.name} /> : <FileIcon />}
          <span className="pending-name">{f.error ?? f.file.name}</span>
          {!f.upload && !f.error && <span className="spinner small" role="status" aria-label={t('chat.uploading')} />}
          <button type="button" className="icon-button small" onClick={() => onRemove(f.key)} aria-label={t('chat.removeAttachment', { name: f.file.name })}>
            <CloseIcon />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** An attachment of a sent message: the image itself, or a chip with the file's name. */
export function AttachmentView({ id, name, mime }: { id: string; name: string; mime: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const image = mime.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    const controller = new AbortController();
    let made: string | null = null;
    uploadsApi
      .objectUrl(id, controller.signal)
      .then((u) => {
        made = u;
        setUrl(u);
      })
      .catch((e) => {
        if (!isAbort(e)) setUrl(null);
      });
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [id, image]);
  if (image && url) return <img className="attachment-image" src={url} alt={name} />;
  return (
    <span className="file-chip">
      <FileIcon />
      <span>{name}</span>
    </span>
  );
}
