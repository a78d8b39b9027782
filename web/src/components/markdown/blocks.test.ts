import { describe, expect, it } from 'vitest';
import { splitBlocks } from './blocks';

/** The blocks of `text`, checked to join back to it. */
function split(text: string, options?: { math?: boolean }): string[] {
  const blocks = splitBlocks(text, options);
  expect(blocks.join('')).toBe(text);
  expect(blocks.every((block) => block.length > 0) || text === '').toBe(true);
  return blocks;
}

describe('splitBlocks', () => {
  it('joins back to the input, whatever it is', () => {
    const texts = [
      '',
      '\n',
      '\n\n\n',
      'one line',
      'a\n\nb\n\n\n\nc\n',
      '\n\nleading blank lines\n\nthen more',
      'trailing\n\n',
      'crlf\r\n\r\nline endings\r\n',
      '```\nunclosed\n\nfence',
      '- a\n\n  b\n\n- c\n\nd',
    ];
    for (const text of texts) split(text);
  });

  it('splits paragraphs and headings at blank lines, blank lines staying with the block before', () => {
    expect(split('# Title\n\nFirst paragraph\nstill first.\n\n\nSecond.')).toEqual([
      '# Title\n\n',
      'First paragraph\nstill first.\n\n\n',
      'Second.',
    ]);
    expect(split('a\r\n\r\nb')).toEqual(['a\r\n\r\n', 'b']);
    expect(split('\n\nfirst\n\nsecond')).toEqual(['\n\nfirst\n\n', 'second']);
    expect(split('a\n \t\nb')).toEqual(['a\n \t\n', 'b']);
  });

  it('does not split where there is no blank line', () => {
    expect(split('# Title\nparagraph\n- item\n> quote\n---')).toHaveLength(1);
  });

  it('keeps a fenced code block with blank lines inside whole', () => {
    const text = 'Before\n\n```js\nconst a = 1;\n\n\nconst b = 2;\n```\n\nAfter';
    expect(split(text)).toEqual(['Before\n\n', '```js\nconst a = 1;\n\n\nconst b = 2;\n```\n\n', 'After']);
  });

  it('closes a fence only with the same character, at least as long, indented up to 3 spaces', () => {
    expect(split('````\n```\n\nstill code\n````\n\nafter')).toEqual(['````\n```\n\nstill code\n````\n\n', 'after']);
    expect(split('```\n~~~\n\nstill code\n```\n\nafter')).toEqual(['```\n~~~\n\nstill code\n```\n\n', 'after']);
    expect(split('```\n    ```\n\nstill code\n   ```\n\nafter')).toEqual(['```\n    ```\n\nstill code\n   ```\n\n', 'after']);
    expect(split('```\n``` not a close\n\nstill code\n```')).toHaveLength(1);
  });

  it('runs an unclosed fence to the end', () => {
    expect(split('Intro\n\n```python\ndef f():\n\n    return 1\n\nprint(f())')).toEqual([
      'Intro\n\n',
      '```python\ndef f():\n\n    return 1\n\nprint(f())',
    ]);
  });

  it('reads ~~~ fences and fences indented up to 3 spaces', () => {
    expect(split('~~~\na\n\nb\n~~~\n\nc')).toEqual(['~~~\na\n\nb\n~~~\n\n', 'c']);
    expect(split('   ```\na\n\nb\n   ```\n\nc')).toHaveLength(1); // indented fence: unsure, no split
    expect(split('p\n\n  ~~~~\n  a\n\n  b\n  ~~~~\n\nc')).toEqual(['p\n\n  ~~~~\n  a\n\n  b\n  ~~~~\n\n', 'c']);
  });

  it('does not take inline code for a fence', () => {
    expect(split('```inline``` code\n\nnext')).toEqual(['```inline``` code\n\n', 'next']);
  });

  it('keeps a loose ordered or bullet list together, items separated by blank lines', () => {
    expect(split('1. a\n\n2. b\n\n3. c')).toEqual(['1. a\n\n2. b\n\n3. c']);
    expect(split('- a\n\n- b\n\n* c')).toHaveLength(1);
    expect(split('Intro\n\n1. a\n\n2. b\n\nAfter')).toEqual(['Intro\n\n', '1. a\n\n2. b\n\n', 'After']);
    // A list after a paragraph starts a new block; after the list ends, the next list too.
    expect(split('- a\n\nText\n\n- b')).toEqual(['- a\n\n', 'Text\n\n', '- b']);
  });

  it('keeps list items with continuation paragraphs and nested lists together', () => {
    const text = '1. First\n\n   more of first\n\n   - nested\n\n     nested more\n\n   - nested 2\n\n2. Second\n\nAfter';
    expect(split(text)).toEqual([text.slice(0, -'After'.length), 'After']);
    expect(split('- a\n\n      indented code in the item\n\n- b')).toHaveLength(1);
  });

  it('keeps code fences in list items, with blank lines, in their item', () => {
    const text = '1. Install:\n\n   ```bash\n   npm install\n\n   npm run build\n   ```\n\n2. Run it\n\nDone.';
    expect(split(text)).toEqual([text.slice(0, -'Done.'.length), 'Done.']);
    const marker = '- ```js\n  a()\n\n  b()\n  ```\n\nText\n\nMore';
    expect(split(marker)).toEqual(['- ```js\n  a()\n\n  b()\n  ```\n\n', 'Text\n\n', 'More']);
  });

  it('stops splitting when a fence that may be in a list item meets a line indented less', () => {
    // `  ```` closes the item's fence (opened at column 4), but could open one at the top level.
    const text = '- a\n\n    ```\n    x\n  ```\n\nText\n\n```\ny\n\nz\n```\n\nEnd';
    expect(split(text)).toEqual(['- a\n\n    ```\n    x\n  ```\n\nText\n\n```\ny\n\nz\n```\n\nEnd']);
  });

  it('splits block quotes only at blank lines, never at a quoted blank line', () => {
    expect(split('> a\n>\n> b\n\nAfter')).toEqual(['> a\n>\n> b\n\n', 'After']);
    expect(split('> a\n\n> b')).toEqual(['> a\n\n', '> b']); // two quotes, as CommonMark reads it
    expect(split('> ```\n> code\n>\n> more\n> ```\n\nAfter')).toEqual(['> ```\n> code\n>\n> more\n> ```\n\n', 'After']);
  });

  it('keeps $$ display math with blank lines whole, when math is on', () => {
    const text = 'Before\n\n$$\na = b\n\nc = d\n$$\n\nAfter';
    expect(split(text)).toEqual(['Before\n\n', '$$\na = b\n\nc = d\n$$\n\n', 'After']);
    expect(split('$$\nx\n\ny')).toEqual(['$$\nx\n\ny']); // unclosed
    expect(split('$$x$$\n\ny')).toEqual(['$$x$$\n\n', 'y']); // inline math, not a block
    // Without remark-math, $$ is text and the blank line ends the paragraph.
    expect(split(text, { math: false })).toEqual(['Before\n\n', '$$\na = b\n\n', 'c = d\n$$\n\n', 'After']);
  });

  it('never splits an indented code block', () => {
    expect(split('Code:\n\n    a\n\n    b\n\nAfter')).toEqual(['Code:\n\n    a\n\n    b\n\n', 'After']);
    expect(split('    a\n\n    b\n\nAfter')).toEqual(['    a\n\n    b\n\n', 'After']);
    // After indented code, micromark reads `2. b` as a paragraph; alone it would be a list.
    expect(split('    code\n\n2. b')).toHaveLength(1);
    expect(split('    code\n\n-')).toHaveLength(1);
  });

  it('keeps a table in one block', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n';
    expect(split(`Intro\n\n${table}After`)).toEqual(['Intro\n\n', table, 'After']);
  });

  it('does not split at all when there are link reference definitions or footnotes', () => {
    expect(split('See [the docs][d].\n\nMore\n\n[d]: https://example.com')).toHaveLength(1);
    expect(split('A claim[^1].\n\nMore\n\n[^1]: The source.')).toHaveLength(1);
    expect(split('Text\n\n- [x]: in a list\n\nMore')).toHaveLength(1);
    // In a fence that is surely code, `]:` is code.
    expect(split('```py\nif a[0]:\n    pass\n```\n\nText')).toEqual(['```py\nif a[0]:\n    pass\n```\n\n', 'Text']);
  });

  it('stops splitting at raw HTML, which may hold blank lines', () => {
    expect(split('Intro\n\n<!--\n\nhidden\n\n-->\n\nAfter')).toEqual(['Intro\n\n', '<!--\n\nhidden\n\n-->\n\nAfter']);
    expect(split('Intro\n\n<div>\n```\n\ntext\n\n```\nx\n\ny')).toEqual(['Intro\n\n', '<div>\n```\n\ntext\n\n```\nx\n\ny']);
    // An autolink is no HTML.
    expect(split('<https://example.com>\n\nnext')).toEqual(['<https://example.com>\n\n', 'next']);
  });

  it('does not split before an indented line', () => {
    expect(split('para\n\n   indented para')).toHaveLength(1);
    expect(split('para\n\n\tindented')).toHaveLength(1);
  });

  it('keeps earlier blocks unchanged as the text grows', () => {
    const full = '# Title\n\nIntro text.\n\n- a\n- b\n\n```\ncode\n\nmore\n```\n\n| x |\n|---|\n| 1 |\n\nEnd.';
    let previous: string[] = [];
    for (let n = 1; n <= full.length; n++) {
      const blocks = split(full.slice(0, n));
      // Every block but the last is final.
      for (let i = 0; i < previous.length - 1; i++) expect(blocks[i]).toBe(previous[i]);
      previous = blocks;
    }
    expect(previous).toHaveLength(6);
  });
});
