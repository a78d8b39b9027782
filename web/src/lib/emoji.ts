// Whether the browser can draw an emoji: without an emoji font it draws an empty box (or
// nothing), and an avatar should then fall back to something legible.

/** Emoji that stand for a built-in agent and have an icon of our own (needs no font). */
export const ICON_EMOJI: Record<string, 'flask'> = { '🧪': 'flask' };

export function isEmoji(text: string): boolean {
  return /\p{Extended_Pictographic}/u.test(text);
}

const cache = new Map<string, boolean>();

function pixels(ctx: CanvasRenderingContext2D, text: string): Uint8ClampedArray {
  ctx.clearRect(0, 0, 32, 32);
  ctx.fillText(text, 4, 4);
  return ctx.getImageData(0, 0, 32, 32).data;
}

/**
 * Draws `emoji` on a small canvas: a colour font leaves coloured pixels; a monochrome one at
 * least differs from the box drawn for a character no font has. Assumes yes where it cannot
 * tell (no canvas, as in tests).
 */
export function canRenderEmoji(emoji: string): boolean {
  const known = cache.get(emoji);
  if (known !== undefined) return known;
  let result = true;
  try {
    const canvas = document.createElement('canvas');
    canvas.width = 32;
    canvas.height = 32;
    const ctx = typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent) ? null : canvas.getContext('2d', { willReadFrequently: true });
    if (ctx) {
      ctx.textBaseline = 'top';
      ctx.font = '24px sans-serif';
      const drawn = pixels(ctx, emoji);
      let coloured = false;
      let inked = false;
      for (let i = 0; i < drawn.length; i += 4) {
        if (drawn[i + 3]! > 0) inked = true;
        if (drawn[i + 3]! > 0 && (Math.abs(drawn[i]! - drawn[i + 1]!) > 16 || Math.abs(drawn[i + 1]! - drawn[i + 2]!) > 16)) {
          coloured = true;
          break;
        }
      }
      if (!coloured) {
        const missing = pixels(ctx, '\u{10FFFD}');
        result = inked && drawn.some((v, i) => v !== missing[i]);
      }
    }
  } catch {
    result = true;
  }
  cache.set(emoji, result);
  return result;
}
