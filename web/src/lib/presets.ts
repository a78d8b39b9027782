// Prompt presets: the order they are listed in, the composer's filter, and how a picked
// preset goes into the message box.
import type { Preset } from '../api';

/** By title, as the server lists them. */
export function byTitle(presets: Preset[]): Preset[] {
  return [...presets].sort((a, b) => a.title.localeCompare(b.title));
}

/** The presets whose title or text contains every word of `query`, in any case. */
export function filterPresets(presets: Preset[], query: string): Preset[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return presets;
  return presets.filter((p) => {
    const text = `${p.title}\n${p.content}`.toLocaleLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The box's text with a preset added: the preset alone in an empty box, else on a new line. */
export function withPreset(text: string, content: string): string {
  const kept = text.replace(/\s+$/, '');
  return kept ? `${kept}\n${content}` : content;
}
