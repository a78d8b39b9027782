import { describe, expect, it } from 'vitest';
import type { Preset } from '../api';
import { byTitle, filterPresets, withPreset } from './presets';

const preset = (title: string, content: string) => ({ id: title, title, content, agent_id: null, shared: false, created_at: '', updated_at: '' }) as Preset;

describe('presets', () => {
  it('fill an empty box, or go on a new line after the text', () => {
    expect(withPreset('', 'Translate:')).toBe('Translate:');
    expect(withPreset('  \n', 'Translate:')).toBe('Translate:');
    expect(withPreset('Hello', 'Translate:')).toBe('Hello\nTranslate:');
    expect(withPreset('Hello\n\n', 'Translate:')).toBe('Hello\nTranslate:');
  });

  it('are filtered on every word, in the title or the text, in any case', () => {
    const all = [preset('Review', 'Review this code'), preset('翻译', '翻译成英文'), preset('Summary', 'Three bullet points')];
    expect(filterPresets(all, '').map((p) => p.title)).toEqual(['Review', '翻译', 'Summary']);
    expect(filterPresets(all, 'CODE').map((p) => p.title)).toEqual(['Review']);
    expect(filterPresets(all, 'three summ').map((p) => p.title)).toEqual(['Summary']);
    expect(filterPresets(all, '英文').map((p) => p.title)).toEqual(['翻译']);
    expect(byTitle([all[2]!, all[0]!]).map((p) => p.title)).toEqual(['Review', 'Summary']);
  });
});
