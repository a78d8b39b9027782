import { memo, useEffect, useState, type ComponentProps, type ReactElement } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import rehypeSanitize from 'rehype-sanitize';
import type { PluggableList } from 'unified';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from './CodeBlock';
import { htmlAsText, mayHaveMath, schema } from './sanitize';

type MathModule = typeof import('./math');
let math: MathModule | undefined;
let loadingMath: Promise<MathModule> | undefined;

function loadMath(): Promise<MathModule> {
  loadingMath ??= import('./math').then((module) => (math = module));
  return loadingMath;
}

function useMath(needed: boolean): MathModule | undefined {
  const [, setLoaded] = useState(0);
  useEffect(() => {
    if (needed && !math) void loadMath().then(() => setLoaded((n) => n + 1));
  }, [needed]);
  return needed ? math : undefined;
}

function Pre({ children }: ComponentProps<'pre'>) {
  const code = children as ReactElement<{ className?: string; children?: unknown }> | undefined;
  const className = code?.props?.className ?? '';
  const language = /language-([\w+#.-]+)/.exec(className)?.[1];
  const text = String(code?.props?.children ?? '').replace(/\n$/, '');
  return <CodeBlock code={text} language={language} />;
}

function Link({ href, children }: ComponentProps<'a'>) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

/** Images from a model are links: fetching them would tell third parties who reads what. */
function Image({ src, alt }: ComponentProps<'img'>) {
  const { t } = useTranslation();
  if (!src || typeof src !== 'string') return null;
  return (
    <a href={src} target="_blank" rel="noopener noreferrer nofollow" className="md-image-link">
      {t('chat.image', { alt: alt || src })}
    </a>
  );
}

function Table(props: ComponentProps<'table'>) {
  return (
    <div className="md-table">
      <table {...props} />
    </div>
  );
}

const components: Components = { pre: Pre, a: Link, img: Image, table: Table };

/** A message's Markdown, sanitised: GFM, highlighted code, and math when there is any. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const mathModule = useMath(mayHaveMath(text));
  const remarkPlugins: PluggableList = [remarkGfm, htmlAsText];
  // Sanitise first; KaTeX's own output comes after and is trusted.
  const rehypePlugins: PluggableList = [[rehypeSanitize, schema]];
  if (mathModule) {
    remarkPlugins.push([mathModule.remarkMath, { singleDollarTextMath: true }]);
    rehypePlugins.push([mathModule.rehypeKatex, { throwOnError: false, strict: 'ignore' }]);
  }
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});

export default Markdown;
