import { useCallback, useEffect, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now, again when `key` changes, and on `reload()`; the newest answer wins. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: unknown; key: string | null; run: number }>({ error: null, key: null, run: 0 });
  const [run, setRun] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: null, key, run }),
      (error: unknown) => !controller.signal.aborted && setState((s) => ({ data: s.data, error, key, run })),
    );
    return () => controller.abort();
    // `load` is a new function each render; `key` says when what it loads changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, run]);
  const reload = useCallback(() => setRun((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.key !== key || state.run !== run, reload };
}
