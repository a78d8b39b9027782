// Splits a message's Markdown into top-level blocks, so that while an answer streams the blocks
// that can no longer change are rendered once and only the last one is parsed again each frame.
//
// A split is made only where the Markdown parser would end every open block anyway, so that
// rendering the blocks one by one gives the same HTML as rendering the whole text: before a
// line that
// - follows one or more blank lines,
// - is not indented at all (an indented line may continue a list item or an indented code
//   block, and a line indented by 0 columns ends every list item and block quote: no
//   container, not even a lazy paragraph, reaches over a blank line into such a line),
// - is not a list item while the block before it has list items (`1. a\n\n2. b` is one loose
//   list) or ends with an indented line (micromark, which react-markdown uses, reads a list
//   item after indented code and blank lines as if it interrupted the code: `    code\n\n2. b`
//   gives a paragraph `2. b`, where `2. b` alone is a list),
// - and is not inside a fenced code block (``` or ~~~, 3 or more, indented up to 3 spaces or
//   after a list marker; an unclosed fence runs to the end) or, with math on, a `$$` block.
//
// The scanner keeps no more state than that, so whatever it cannot follow surely ends its
// splitting (the rest of the text becomes the last block, as a missed split costs only
// speed):
// - a line that looks like the start of raw HTML (`<div`, `</p`, `<!--`, `<?`…): HTML blocks
//   may hold blank lines (`<pre>`, comments) or hide fences;
// - a fence that may sit in a list item (one not at column 0) seeing a line indented less than
//   itself, or a closing fence indented 4 or more: whether the fence still runs depends on
//   list items the scanner does not track.
// A fence the scanner is sure of starts at column 0: only a line indented by 0 columns can
// split, and such a line is in no list item.
//
// Link reference definitions (`[x]: url`) and footnotes (`[^1]: …`) are used by references
// anywhere in the text: when a line that is not certainly code holds `]:`, the text is not
// split at all.

/** A fence being read: its character, its length, and the column it starts at. */
interface Fence {
  char: string;
  size: number;
  column: number;
}

const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)/;
/** The start of raw HTML that may begin an HTML block (an autolink `<https://…>` does not). */
const HTML_START = /^<(?:[!?]|\/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$))/;

/** Skips spaces and tabs from `pos` (tabs advance to the next multiple of 4 columns). */
function skipSpace(line: string, pos: number, column: number): [number, number] {
  for (; pos < line.length; pos++) {
    if (line[pos] === ' ') column++;
    else if (line[pos] === '\t') column += 4 - (column % 4);
    else break;
  }
  return [pos, column];
}

/** The fence that `rest` opens: ``` or ~~~ (3 or more), or $$ (2 or more) with math on. */
function opening(rest: string, math: boolean): { char: string; size: number } | undefined {
  const char = rest[0];
  if (char !== '`' && char !== '~' && !(math && char === '$')) return undefined;
  let size = 0;
  while (rest[size] === char) size++;
  if (size < (char === '$' ? 2 : 3)) return undefined;
  // A backtick fence's info string holds no backtick (```a``` is inline code), nor $$'s a $.
  if (char !== '~' && rest.includes(char, size)) return undefined;
  return { char, size };
}

/** Whether `rest` (the line after its indentation) is a fence that closes `fence`. */
function closes(rest: string, fence: Fence): boolean {
  let size = 0;
  while (rest[size] === fence.char) size++;
  return size >= fence.size && /^[ \t]*$/.test(rest.slice(size));
}

/**
 * The top-level blocks of `text`, in order; joined they are `text` exactly. Blank lines stay
 * with the block before them. `math`: whether `$$` blocks are parsed (remark-math is on).
 */
export function splitBlocks(text: string, { math = true }: { math?: boolean } = {}): string[] {
  const starts = [0];
  const blocks = () => starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length));
  /** Stops splitting at `from`: the rest is the last block. */
  const giveUp = (from: number) => (text.includes(']:', from) ? [text] : blocks());

  let fence: Fence | undefined;
  let content = false; // the text so far has a non-blank line
  let blank = false; // blank lines since the last non-blank line, outside fences
  let list = false; // the current block has a line that starts with a list marker
  let indented = false; // the last non-blank line outside fences was indented by 4 or more
  for (let pos = 0; pos < text.length; ) {
    const start = pos;
    const newline = text.indexOf('\n', pos);
    const end = newline < 0 ? text.length : newline;
    pos = newline < 0 ? text.length : newline + 1;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const [at, indent] = skipSpace(line, 0, 0);
    if (at === line.length) {
      if (content && !fence) blank = true;
      continue;
    }
    const rest = line.slice(at);

    if (fence) {
      if (fence.column > 0) {
        // Perhaps in a list item: the scanner cannot be sure this is code.
        if (line.includes(']:')) return [text];
        if (indent < fence.column) return giveUp(start);
      }
      if (closes(rest, fence)) {
        if (indent <= 3) [fence, indented] = [undefined, false];
        else if (fence.column > 0) return giveUp(start);
      }
      continue;
    }

    if (line.includes(']:')) return [text];
    const item = LIST_MARKER.test(rest);
    if (blank && indent === 0 && !(item && (list || indented))) {
      starts.push(start);
      list = false;
    }
    blank = false;
    content = true;
    list ||= item;
    indented = indent > 3;

    if (indented) continue; // indented code, or deeper in a list item
    if (HTML_START.test(rest)) return giveUp(start);
    // A fence may follow list markers (`- ```js`), at the column where the item's text starts.
    let [p, column] = [at, indent];
    for (let marker = LIST_MARKER.exec(rest); marker; marker = LIST_MARKER.exec(line.slice(p))) {
      const [q, after] = skipSpace(line, p + marker[0].length, column + marker[0].length);
      if (q === p + marker[0].length || q === line.length) break;
      [p, column] = [q, after];
    }
    const open = column <= 3 ? opening(line.slice(p), math) : undefined;
    if (open) fence = { ...open, column };
  }
  return blocks();
}
