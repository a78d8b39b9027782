import { useTranslation } from 'react-i18next';
import type { PartOf } from './parts';

/** A tool the agent called: its name, folded; its arguments and result inside. */
export function ToolCall({ part }: { part: PartOf<'tool'> }) {
  const { t } = useTranslation();
  return (
    <details className="tool-call">
      <summary>{t('chat.tool', { name: part.name })}</summary>
      <pre>{part.arguments}</pre>
      {part.result && <pre>{part.result}</pre>}
    </details>
  );
}
