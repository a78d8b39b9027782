// What a model's Markdown may become: GitHub's sanitising schema (no raw HTML, no event
// handlers, no javascript: URLs), plus the classes math needs. Raw HTML in the text is shown
// as text, never parsed.
import { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';

export const schema: SanitizeSchema = {
  ...defaultSchema,
  attributes: {
    ...defaultSchema.attributes,
    code: [['className', /^language-./, 'math-inline', 'math-display']],
  },
};

/** remark plugin: raw HTML becomes visible text. */
export function htmlAsText() {
  return (tree: Root) => {
    visit(tree, 'html', (node, index, parent) => {
      if (!parent || index === undefined) return;
      parent.children[index] = { type: 'text', value: node.value };
    });
  };
}

/** Whether the text may contain math worth loading KaTeX for. */
export function mayHaveMath(text: string): boolean {
  return /\$[^$\s]|\$\$|\\\(|\\\[/.test(text);
}
