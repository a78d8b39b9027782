import { useTranslation } from 'react-i18next';
import type { PartOf } from './parts';

/** The steps a workflow went through (its nodes), each with its state. */
export function StatusTrail({ parts }: { parts: PartOf<'status'>[] }) {
  const { t } = useTranslation();
  return (
    <ol className="status-trail" aria-label={t('chat.steps')}>
      {parts.map((part) => (
        <li key={part.node} className={`status-${part.state}`}>
          <span className="status-dot" aria-hidden="true" />
          <span>{part.node}</span>
          {part.detail && <span className="status-detail">{part.detail}</span>}
        </li>
      ))}
    </ol>
  );
}
