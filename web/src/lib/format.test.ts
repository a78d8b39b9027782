import { describe, expect, test } from 'vitest';
import { formatBytes, timeSpan } from './format';

describe('formatBytes', () => {
  test('bytes as a whole number, larger sizes in binary units to one decimal', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1024, 'en')).toBe('1.0 KB');
    expect(formatBytes(8192, 'en')).toBe('8.0 KB');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 * 1024, 'en')).toBe('10.0 MB');
    expect(formatBytes(1 << 30, 'en')).toBe('1.0 GB');
    expect(formatBytes(3 * 1024 ** 4, 'en')).toBe('3.0 TB');
  });
  test('never shows "1,024.0" of a unit, and separates thousands in the language', () => {
    expect(formatBytes(1024 * 1024 - 1, 'en')).toBe('1.0 MB');
    expect(formatBytes(1000, 'en')).toBe('1,000 B');
    expect(formatBytes(1536, 'zh-CN')).toBe('1.5 KB');
  });
});

describe('timeSpan', () => {
  test('days from a day on, else hours, else minutes', () => {
    expect(timeSpan(30 * 86_400)).toEqual({ unit: 'days', count: 30 });
    expect(timeSpan(86_400)).toEqual({ unit: 'days', count: 1 });
    expect(timeSpan(36 * 3_600)).toEqual({ unit: 'days', count: 1.5 });
    expect(timeSpan(12 * 3_600)).toEqual({ unit: 'hours', count: 12 });
    expect(timeSpan(3_600)).toEqual({ unit: 'hours', count: 1 });
    expect(timeSpan(1_800)).toEqual({ unit: 'minutes', count: 30 });
    expect(timeSpan(5)).toEqual({ unit: 'minutes', count: 1 });
  });
});
