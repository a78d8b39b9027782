import { beforeAll, describe, expect, it, vi } from 'vitest';
import { act, render, waitFor } from '@testing-library/react';
import type { Options } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import rehypeSanitize from 'rehype-sanitize';
import type { PluggableList } from 'unified';
import '../../i18n';
import { splitBlocks } from './blocks';
import { Markdown, MarkdownBlock } from './Markdown';
import { htmlAsText, mayHaveMath, schema } from './sanitize';

// Every Markdown text react-markdown parses, in order: the block renders, counted.
const parsed = vi.hoisted(() => [] as string[]);
vi.mock('react-markdown', async (importOriginal) => {
  const actual = await importOriginal<typeof import('react-markdown')>();
  function CountedMarkdown(options: Options) {
    parsed.push(String(options.children ?? ''));
    return actual.default(options);
  }
  return { ...actual, default: CountedMarkdown };
});

function renderMarkdown(text: string) {
  return render(<Markdown text={text} />).container;
}

describe('Markdown', () => {
  it('keeps a <script> from the model inert, shown as text', () => {
    const container = renderMarkdown('Hello <script>window.pwned = true</script> world');
    expect(container.querySelector('script')).toBeNull();
    expect(container.textContent).toContain('<script>window.pwned = true</script>');
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it('never creates elements with event handlers', () => {
    const container = renderMarkdown('<img src=x onerror="window.pwned=1">\n\n<div onclick="x()">hi</div>\n\n<svg onload=alert(1)>');
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('svg')).toBeNull();
    for (const element of container.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        expect(attribute.name.startsWith('on'), `${element.tagName} ${attribute.name}`).toBe(false);
      }
    }
    expect(container.textContent).toContain('onerror=');
  });

  it('drops javascript: links and opens others safely', () => {
    const container = renderMarkdown('[bad](javascript:alert(1)) [good](https://example.com)');
    const links = Array.from(container.querySelectorAll('a'));
    expect(links.some((a) => (a.getAttribute('href') ?? '').toLowerCase().startsWith('javascript'))).toBe(false);
    const good = links.find((a) => a.textContent === 'good');
    expect(good?.getAttribute('href')).toBe('https://example.com');
    expect(good?.getAttribute('rel')).toContain('noopener');
    expect(good?.getAttribute('target')).toBe('_blank');
  });

  it('turns model images into links instead of loading them', () => {
    const container = renderMarkdown('![chart](https://tracker.example/pixel.png)');
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('a')?.getAttribute('href')).toBe('https://tracker.example/pixel.png');
  });

  it('renders GFM tables, task lists and code blocks with a language label and copy button', () => {
    const container = renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n```rust\nfn main() {}\n```');
    expect(container.querySelectorAll('table td')).toHaveLength(2);
    expect(container.querySelectorAll('input[type="checkbox"]')).toHaveLength(2);
    expect(container.querySelector('.code-block-lang')?.textContent).toBe('rust');
    expect(container.querySelector('.code-block code')?.textContent).toBe('fn main() {}');
    expect(container.querySelector('button[aria-label]')).not.toBeNull();
  });

  it('renders math with KaTeX once it has loaded', async () => {
    const container = renderMarkdown('Euler: $e^{i\\pi} + 1 = 0$');
    await waitFor(() => expect(container.querySelector('.katex')).not.toBeNull());
  });

  it('highlights code once its language has loaded, without parsing HTML', async () => {
    const container = renderMarkdown('```js\nconst a = "<img src=x onerror=alert(1)>";\n```');
    await waitFor(() => expect(container.querySelector('.hljs-keyword')).not.toBeNull(), { timeout: 3000 });
    expect(container.querySelector('.code-block img')).toBeNull();
    expect(container.querySelector('.code-block code')?.textContent).toContain('<img src=x onerror=alert(1)>');
  });
});

type MathModule = typeof import('./math');
let mathModule: MathModule;

/**
 * The way `Markdown` rendered before blocks: the whole text in one react-markdown render, with
 * the same plugins (math when the text may have some) and components, in the same wrapper.
 */
function Whole({ text }: { text: string }) {
  const remarkPlugins: PluggableList = [remarkGfm, htmlAsText];
  const rehypePlugins: PluggableList = [[rehypeSanitize, schema]];
  if (mayHaveMath(text)) {
    remarkPlugins.push([mathModule.remarkMath, { singleDollarTextMath: true }]);
    rehypePlugins.push([mathModule.rehypeKatex, { throwOnError: false, strict: 'ignore' }]);
  }
  return (
    <div className="markdown">
      <MarkdownBlock text={text} remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} />
    </div>
  );
}

/** Waits until the rendered HTML stops changing (math loaded, code highlighted). */
async function settle(containers: HTMLElement[]) {
  for (let round = 0; round < 30; round++) {
    const before = containers.map((c) => c.innerHTML).join('\0');
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    if (containers.map((c) => c.innerHTML).join('\0') === before) return;
  }
  throw new Error('the rendering did not settle');
}

const DOCUMENTS: Record<string, string> = {
  'paragraphs and headings':
    '# Title\n\nA paragraph with *emphasis*, **strong**, `code` and a [link](https://example.com).\nIts second line.\n\n\n## Section\n\nSetext heading\n===\n\nAnother\n---\n\n***\n\nLast paragraph https://example.com/autolink.',
  'lists, loose, tight and nested': [
    '1. first\n\n2. second\n\n3. third',
    '- tight a\n- tight b\n* other bullet',
    '1. Item\n\n   continued paragraph\n\n   - nested\n\n     nested continued\n\n   - nested 2\n\n2. Next\n\n     indented code in the item',
    '- [x] done\n- [ ] todo',
    '5) starts at five\n6) six',
    'Text right after\n\n- a\n\nText\n\n- b',
  ].join('\n\n'),
  'code fences': [
    'Intro',
    '```js\nconst a = 1;\n\n\nconst b = "<b>" + a;\n```',
    '~~~\ntilde fence\n\nwith ``` inside\n~~~',
    '````md\n```\n\nnested fence text\n```\n````',
    '1. Install:\n\n   ```bash\n   npm install\n\n   npm run build\n   ```\n\n2. Run',
    '- ```python\n  def f():\n\n      return 1\n  ```',
    '```inline``` is not a fence',
    '    indented code\n\n    still indented code',
    '5. after indented code, read as a paragraph',
    'After the code',
    '```\nunclosed fence\n\nruns to the end',
  ].join('\n\n'),
  'tables and block quotes': [
    '| a | b |\n|:--|--:|\n| 1 | 2 |\n| *3* | `4` |',
    '> quoted\n>\n> still the same quote\n\n> a second quote',
    '> - list in a quote\n>\n> ```\n> code in a quote\n> ```',
    'lazy\n> quote\ncontinuation',
    '| not | a table |\n\n|---|---|',
  ].join('\n\n'),
  math: [
    'Inline $e^{i\\pi} + 1 = 0$ and $$x^2$$ in text.',
    '$$\na = b\n\nc = d\n$$',
    '$$x = 1$$',
    'Price: $5 and $ 6',
    '$$\nunclosed math\n\nto the end',
  ].join('\n\n'),
  'HTML as text': [
    'Before the HTML',
    '<div>\n\nblock html\n\n</div>',
    '<!-- a comment\n\nover blank lines -->',
    'Inline <span onclick="x()">html</span> and <script>alert(1)</script>',
    '<pre>\n\n```\n\n</pre>',
    'After the HTML',
    '```\nafter\n\nmore\n```',
  ].join('\n\n'),
  'references and footnotes': 'See [the docs][d] and a claim[^1].\n\nMore text.\n\n[d]: https://example.com "Docs"\n\n[^1]: The source.',
  'blank lines and line endings': '\n\n  \nLeading blank lines\r\n\r\n# CRLF heading\r\n\r\n- a\r\n\r\n- b\r\n\r\nEnd\n\n\n',
  'an answer': [
    '# Building a service',
    'Here is a walk-through, with **examples** and `code`.',
    '## 1. Caching',
    'Key points:\n\n- Decide what "good" means\n- Measure it in production',
    '```ts\nexport async function cached<T>(work: () => Promise<T>): Promise<T> {\n  try {\n    return await work();\n  } finally {\n\n    record();\n  }\n}\n```',
    'Steps:\n\n1. Add a flag\n2. Enable it\n\n3. Watch\n\n   ```bash\n   curl -s localhost:9090/metrics\n   ```\n\n4. Remove the flag',
    '| option | default |\n|---|---|\n| `enabled` | true |',
    '> **Note:** measure first.',
    'Start small.',
  ].join('\n\n'),
};

describe('Markdown, block by block', () => {
  beforeAll(async () => {
    mathModule = await import('./math');
  });

  it('renders the same HTML as the whole text rendered at once', async () => {
    const pairs = Object.entries(DOCUMENTS).map(([name, text]) => ({
      name,
      text,
      blocks: render(<Markdown text={text} />).container,
      whole: render(<Whole text={text} />).container,
    }));
    await settle(pairs.flatMap((p) => [p.blocks, p.whole]));
    for (const { name, text, blocks, whole } of pairs) {
      expect(blocks.innerHTML, name).toBe(whole.innerHTML);
      expect(blocks.innerHTML, name).not.toBe('<div class="markdown"></div>');
      if (name !== 'references and footnotes') expect(splitBlocks(text).length, name).toBeGreaterThan(1);
    }
    // The renderings did go through math and highlighting.
    const all = pairs.map((p) => p.blocks.innerHTML).join('');
    expect(all).toContain('katex');
    expect(all).toContain('hljs-keyword');
  });

  it('renders the same HTML at every step of a stream', () => {
    const text = DOCUMENTS['an answer'] + '\n\n' + DOCUMENTS['code fences'];
    const streamed = render(<Markdown text="" />);
    const whole = render(<Whole text="" />);
    for (let n = 1; n <= text.length; n += 1 + (n % 13)) {
      streamed.rerender(<Markdown text={text.slice(0, n)} />);
      whole.rerender(<Whole text={text.slice(0, n)} />);
      expect(streamed.container.innerHTML, text.slice(0, n)).toBe(whole.container.innerHTML);
    }
  });

  it('parses only the last block again when the text grows at its end', () => {
    const start = '# Title\n\nFirst paragraph.\n\n- a\n- b\n\nThe last paragraph';
    const { container, rerender } = render(<Markdown text={start} />);
    const heading = container.querySelector('h1');
    const list = container.querySelector('ul');
    expect(parsed.slice(-4)).toEqual(['# Title\n\n', 'First paragraph.\n\n', '- a\n- b\n\n', 'The last paragraph']);

    parsed.length = 0;
    rerender(<Markdown text={`${start} grows`} />);
    expect(parsed).toEqual(['The last paragraph grows']);
    rerender(<Markdown text={`${start} grows\n\nA new block`} />);
    expect(parsed).toEqual(['The last paragraph grows', 'The last paragraph grows\n\n', 'A new block']);

    // The earlier blocks' elements are the same nodes, untouched.
    expect(container.querySelector('h1')).toBe(heading);
    expect(container.querySelector('ul')).toBe(list);
    expect(container.querySelectorAll('p')).toHaveLength(3);
  });
});

