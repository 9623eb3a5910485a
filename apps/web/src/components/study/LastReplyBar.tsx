import { useAppState, useController } from '../../AppContext.tsx';
import { StopIcon } from '../icons.tsx';

/**
 * Where the message box was while the agent answers the chat's last message: no more messages
 * can be sent, but the reply can still be stopped (a stop is data the study records).
 */
export function LastReplyBar() {
  const controller = useController();
  const connected = useAppState((s) => s.connection.status === 'open');
  return (
    <div className="composer">
      <div className="composer__box last-reply">
        <p className="last-reply__text">That was the last message of this conversation. The agent is answering it.</p>
        <div className="composer__buttons">
          <button type="button" className="round-button round-button--stop" onClick={controller.stop} aria-label="Stop reply" title="Stop reply" disabled={!connected}>
            <StopIcon />
          </button>
        </div>
      </div>
    </div>
  );
}
