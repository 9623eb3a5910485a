import { useEffect, useState } from 'react';
import { useAppState } from '../../AppContext.tsx';
import { limitsText } from './limitsText.ts';

/** How often the time left is recomputed; the text counts minutes, so a few seconds late is fine. */
const TICK_MS = 5_000;

/** "2 messages left · 14 minutes left", just above the message box. Not a live region: it would chatter. */
export function StudyLimits({ chatId }: { chatId: string | null }) {
  const study = useAppState((s) => s.study);
  const endsAt = study?.limits.endsAt ?? null;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!endsAt) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [endsAt]);
  const text = limitsText(study, chatId, now);
  if (!text) return null;
  return (
    <p className="study-limits" data-testid="study-limits">
      {text}
    </p>
  );
}
