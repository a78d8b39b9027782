import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';
import { useCopy } from '../../lib/useCopy';
import { CheckIcon, CopyIcon } from '../icons';

type Highlighter = typeof import('./highlight');
let highlighter: Promise<Highlighter> | undefined;

/** A fenced code block: language label, copy button, highlighting once its language loaded. */
export function CodeBlock({ code, language }: { code: string; language: string | undefined }) {
  const { t } = useTranslation();
  const [highlighted, setHighlighted] = useState<{ code: string; node: ReactNode } | undefined>();
  const { copied, copy } = useCopy();

  useEffect(() => {
    let live = true;
    // Debounced: while an answer streams, the block changes with every token.
    const timer = setTimeout(async () => {
      highlighter ??= import('./highlight');
      const tree = await (await highlighter).highlight(code, language).catch(() => undefined);
      // The tree is made of spans with classes and text from the code itself: no HTML parsing.
      if (live && tree) setHighlighted({ code, node: toJsxRuntime(tree, { Fragment, jsx, jsxs }) });
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [code, language]);

  return (
    <div className="code-block">
      <div className="code-block-header">
        <span className="code-block-lang">{language ?? t('chat.code')}</span>
        <button
          type="button"
          className="code-block-copy"
          onClick={() => void copy(code)}
          aria-label={t('chat.copyCode')}
        >
          {copied ? <CheckIcon /> : <CopyIcon />}
          <span>{copied ? t('common.copied') : t('common.copy')}</span>
        </button>
      </div>
      <pre>
        <code className={language ? `hljs language-${language}` : 'hljs'}>
          {highlighted && highlighted.code === code ? highlighted.node : code}
        </code>
      </pre>
    </div>
  );
}
