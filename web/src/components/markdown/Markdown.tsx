import { Fragment, memo, useEffect, useMemo, useState, type ComponentProps, type ReactElement } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import rehypeSanitize from 'rehype-sanitize';
import type { PluggableList } from 'unified';
import { useTranslation } from 'react-i18next';
import { splitBlocks } from './blocks';
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

/**
 * One piece of Markdown, parsed and rendered with the given plugins. Memoised: a block that did
 * not change (same text, same plugin lists) is not parsed again.
 */
export const MarkdownBlock = memo(function MarkdownBlock({
  text,
  remarkPlugins,
  rehypePlugins,
}: {
  text: string;
  remarkPlugins: PluggableList;
  rehypePlugins: PluggableList;
}) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
});

/**
 * A message's Markdown, sanitised: GFM, highlighted code, and math when there is any. Rendered
 * block by block (see `blocks.ts`): while an answer streams, only its last block is parsed again.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  // Math is detected in the whole text, so that every block is parsed as the whole would be.
  const mathModule = useMath(mayHaveMath(text));
  const [remarkPlugins, rehypePlugins] = useMemo(() => {
    const remark: PluggableList = [remarkGfm, htmlAsText];
    // Sanitise first; KaTeX's own output comes after and is trusted.
    const rehype: PluggableList = [[rehypeSanitize, schema]];
    if (mathModule) {
      remark.push([mathModule.remarkMath, { singleDollarTextMath: true }]);
      rehype.push([mathModule.rehypeKatex, { throwOnError: false, strict: 'ignore' }]);
    }
    return [remark, rehype];
  }, [mathModule]);
  const blocks = useMemo(() => splitBlocks(text, { math: mathModule !== undefined }), [text, mathModule]);
  return (
    <div className="markdown">
      {blocks.map((block, i) => (
        // Blocks only grow at the end: the index is a stable key. The newline between them is
        // the one the whole text's rendering puts between its top-level elements.
        <Fragment key={i}>
          {i > 0 && '\n'}
          <MarkdownBlock text={block} remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} />
        </Fragment>
      ))}
    </div>
  );
});

export default Markdown;
