import { useCallback, useEffect, useState } from 'react';
import { copyText } from './clipboard';

/** Copies text to the clipboard; `copied` is true for a moment after a copy worked (for a tick). */
export function useCopy(): { copied: boolean; copy: (text: string) => Promise<void> } {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = useCallback(async (text: string) => setCopied(await copyText(text)), []);
  return { copied, copy };
}
