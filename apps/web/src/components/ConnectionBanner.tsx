import { useAppState } from '../AppContext.tsx';

/**
 * Shown while the socket is down after having been up (or after a failed first attempt). The
 * brief first "connecting" moment after login shows nothing, so the banner never flickers.
 */
export function ConnectionBanner() {
  const down = useAppState((s) => s.connection.status === 'waiting' || (s.connection.status === 'connecting' && s.connection.failures > 0));
  if (!down) return null;
  return (
    <div className="banner banner--warning" role="status">
      <span className="banner__spinner" aria-hidden="true" />
      Disconnected. Reconnecting…
    </div>
  );
}
