import { useCallback, useEffect, useState } from 'react';
import type { ApiError, ApiResult } from '../api/errors';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; error: ApiError };

/** One API read for a component: loading, the value or the error; `reload` asks again, `set` replaces the value. */
export function useApiResource<T>(load: () => Promise<ApiResult<T>>) {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    void load().then((result) => {
      if (live) setState(result.ok ? { status: 'ok', value: result.value } : { status: 'error', error: result.error });
    });
    return () => {
      live = false;
    };
  }, [load, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  const set = useCallback((value: T) => setState({ status: 'ok', value }), []);
  return { state, reload, set };
}
