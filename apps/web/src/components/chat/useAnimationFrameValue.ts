import { useEffect, useRef, useState } from 'react';

/**
 * Follows a fast-changing value at most once per animation frame. A reply can deliver far more
 * tokens per second than the screen refreshes; re-parsing its Markdown for every token would
 * waste the main thread, so the parse runs once per frame with whatever arrived meanwhile.
 */
export function useAnimationFrameValue<T>(value: T): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  const frame = useRef<number | null>(null);
  latest.current = value;

  useEffect(() => {
    if (frame.current !== null || Object.is(value, shown)) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setShown(latest.current);
    });
  }, [value, shown]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
  return shown;
}
