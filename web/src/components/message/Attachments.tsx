import { useTranslation } from 'react-i18next';
import { AttachmentView } from '../Attachments';
import type { PartOf } from './parts';

/** The files sent with a question. */
export function Attachments({ parts }: { parts: PartOf<'attachment'>[] }) {
  const { t } = useTranslation();
  return (
    <ul className="attachments" aria-label={t('chat.attachment')}>
      {parts.map((part) => (
        <li key={part.upload_id}>
          <AttachmentView id={part.upload_id} name={part.name} mime={part.mime} />
        </li>
      ))}
    </ul>
  );
}
