import { useTranslation } from 'react-i18next';
import { LinkIcon } from '../icons';
import type { PartOf } from './parts';

/** The sources an answer cites, folded under their count; only http(s) links are links. */
export function Citations({ items }: { items: PartOf<'citation'>['items'] }) {
  const { t } = useTranslation();
  return (
    <details className="citations">
      <summary>
        {t('chat.sources')} · {items.length}
      </summary>
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            <span className="citation-title">
              {item.url && /^https?:\/\//.test(item.url) ? (
                <a href={item.url} target="_blank" rel="noopener noreferrer nofollow">
                  <LinkIcon /> {item.title || t('chat.source', { n: i + 1 })}
                </a>
              ) : (
                item.title || t('chat.source', { n: i + 1 })
              )}
            </span>
            {item.snippet && <span className="citation-snippet">{item.snippet}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}
