import { useCallback, useReducer, useRef } from 'react';
import { useInput, type Key } from 'ink';

/**
 * `useInput` whose handler always sees the latest render. Ink re-subscribes a new handler only
 * after React's passive effects run, which can be after the next key arrives.
 */
export function useKeys(handler: (input: string, key: Key) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useInput((input, key) => latest.current(input, key));
}

/**
 * State that key handlers read through `get()`: a key that arrives before React has rendered the
 * previous key's update still acts on the state that key left ("jq" typed fast, a pasted message).
 */
export function useLiveState<T>(initial: T): [T, (next: T | ((prev: T) => T)) => void, () => T] {
  const ref = useRef(initial);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const set = useCallback((next: T | ((prev: T) => T)) => {
    ref.current = typeof next === 'function' ? (next as (prev: T) => T)(ref.current) : next;
    rerender();
  }, []);
  const get = useCallback(() => ref.current, []);
  return [ref.current, set, get];
}
