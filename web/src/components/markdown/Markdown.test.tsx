import { describe, expect, it } from 'vitest';
import { render, waitFor } from '@testing-library/react';
import '../../i18n';
import { Markdown } from './Markdown';

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
