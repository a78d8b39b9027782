import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { useCopy } from './useCopy';

const writeText = vi.fn<(text: string) => Promise<void>>();

beforeEach(() => {
  vi.useFakeTimers();
  writeText.mockReset();
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
});
afterEach(() => vi.useRealTimers());

describe('useCopy', () => {
  it('copies the text and says so for a moment', async () => {
    writeText.mockResolvedValue(undefined);
    const { result } = renderHook(() => useCopy());
    expect(result.current.copied).toBe(false);
    await act(() => result.current.copy('hello'));
    expect(writeText).toHaveBeenCalledWith('hello');
    expect(result.current.copied).toBe(true);
    act(() => vi.advanceTimersByTime(1499));
    expect(result.current.copied).toBe(true);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.copied).toBe(false);
  });

  it('says nothing when neither the clipboard nor the fallback copied', async () => {
    writeText.mockRejectedValue(new Error('denied'));
    // jsdom has no execCommand: the fallback's copy fails as a browser's would.
    const execCommand = vi.fn(() => false);
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    const { result } = renderHook(() => useCopy());
    await act(() => result.current.copy('secret'));
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(result.current.copied).toBe(false);
  });
});
