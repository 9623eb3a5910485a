import type { TelemetryEvent } from '@parley/protocol';
import type { Connection } from '../connection/connection.ts';
import type { TelemetryQueue, TelemetryTransport } from './queue.ts';
import type { TelemetryTracker } from './tracker.ts';

/** The message box's id (components/chat/Composer.tsx): only pastes into it are counted. */
const COMPOSER_INPUT_ID = 'composer-input';

/** Frames over the chat socket while it is open; beacons to POST /api/telemetry when the page goes away. */
export function createTelemetryTransport(connection: Pick<Connection, 'send'>, nav: Pick<Navigator, 'sendBeacon'>): TelemetryTransport {
  return {
    sendFrame: (events: TelemetryEvent[]) => connection.send({ type: 'telemetry', events }),
    // A string is sent as text/plain, which needs no CORS preflight; the server parses it as JSON.
    sendBeacon: (events: TelemetryEvent[]) => (typeof nav.sendBeacon === 'function' ? nav.sendBeacon('/api/telemetry', JSON.stringify({ events })) : false),
  };
}

/** How much of a reply is rendered now, from the attribute AgentMessage keeps current. */
export function renderedLengthIn(doc: Document): (messageId: string) => number | null {
  return (messageId) => {
    const value = doc.querySelector(`article[data-message-id="${CSS.escape(messageId)}"]`)?.getAttribute('data-shown-chars');
    return value == null ? null : Number(value);
  };
}

/**
 * Reports what only the browser sees: the tab hidden or shown, text pasted into the message box,
 * and the page going away, which is the last chance to send what is queued (by beacon: a socket
 * frame sent from pagehide is often never delivered). Returns a function that detaches it all.
 */
export function connectTelemetryToBrowser(win: Window, tracker: TelemetryTracker, queue: Pick<TelemetryQueue, 'flushWithBeacon'>): () => void {
  const doc = win.document;
  const onVisibility = () => {
    const hidden = doc.visibilityState === 'hidden';
    tracker.visibilityChanged(hidden ? 'hidden' : 'visible');
    // A hidden tab may be frozen or discarded without another event.
    if (hidden) queue.flushWithBeacon();
  };
  const onPageHide = () => queue.flushWithBeacon();
  const onPaste = (event: ClipboardEvent) => {
    const target = event.target as Element | null;
    if (target?.id !== COMPOSER_INPUT_ID) return;
    tracker.pasted(event.clipboardData?.getData('text/plain') ?? '');
  };
  doc.addEventListener('visibilitychange', onVisibility);
  doc.addEventListener('paste', onPaste, true);
  win.addEventListener('pagehide', onPageHide);
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    doc.removeEventListener('paste', onPaste, true);
    win.removeEventListener('pagehide', onPageHide);
  };
}
