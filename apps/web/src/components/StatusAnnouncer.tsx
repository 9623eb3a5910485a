import { useEffect, useRef, useState } from 'react';
import { useAppState } from '../AppContext.tsx';

/**
 * Tells screen-reader users what the agent is doing ("Agent is replying…", "Reply finished")
 * instead of reading every token: the streaming text itself is not in a live region.
 */
export function StatusAnnouncer() {
  const replying = useAppState((s) => s.activeChatId !== null && s.replies[s.activeChatId] !== undefined);
  const activeChatId = useAppState((s) => s.activeChatId);
  const [status, setStatus] = useState('');
  const previous = useRef({ replying, activeChatId });

  useEffect(() => {
    const before = previous.current;
    previous.current = { replying, activeChatId };
    if (replying) setStatus('Agent is replying…');
    else if (before.replying && before.activeChatId === activeChatId) setStatus('Reply finished');
    else setStatus('');
  }, [replying, activeChatId]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="agent-status">
      {status}
    </div>
  );
}
