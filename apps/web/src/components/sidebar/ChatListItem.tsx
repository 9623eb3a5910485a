import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { CHAT_TITLE_MAX_LENGTH } from '@parley/protocol';
import { useAppState, useController } from '../../AppContext.tsx';
import { mayRenameChats } from '../../store/study.ts';
import { PencilIcon } from '../icons.tsx';

interface ChatListItemProps {
  chatId: string;
  onNavigate: () => void;
}

export const ChatListItem = memo(function ChatListItem({ chatId, onNavigate }: ChatListItemProps) {
  const controller = useController();
  const title = useAppState((s) => s.chats[chatId]?.title ?? '');
  const active = useAppState((s) => s.activeChatId === chatId);
  const replying = useAppState((s) => s.replies[chatId] !== undefined);
  const renamable = useAppState((s) => mayRenameChats(s.study));
  const [editing, setEditing] = useState(false);

  return (
    <li className={`chat-list__item${active ? ' chat-list__item--active' : ''}`} data-flip-id={chatId} data-chat-id={chatId}>
      {editing && renamable ? (
        <RenameField
          initial={title}
          onDone={async (value) => {
            if (value !== null) {
              const problem = await controller.rename(chatId, value);
              if (problem) return problem;
            }
            setEditing(false);
            return null;
          }}
        />
      ) : (
        <>
          <button
            type="button"
            className="chat-list__open"
            aria-current={active ? 'page' : undefined}
            onClick={() => {
              void controller.openChat(chatId);
              onNavigate();
            }}
            onDoubleClick={renamable ? () => setEditing(true) : undefined}
          >
            <span className="chat-list__title">{title || 'Untitled chat'}</span>
            {replying && <span className="chat-list__live" aria-label="Agent is replying" title="Agent is replying" />}
          </button>
          {renamable && (
            <button type="button" className="chat-list__rename" aria-label={`Rename chat “${title}”`} title="Rename" onClick={() => setEditing(true)}>
              <PencilIcon />
            </button>
          )}
        </>
      )}
    </li>
  );
});

interface RenameFieldProps {
  initial: string;
  /** Receives the new title (null = cancelled); resolves to an error message, or null when done. */
  onDone: (value: string | null) => Promise<string | null>;
}

function RenameField({ initial, onDone }: RenameFieldProps) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const finished = useRef(false);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  async function finish(result: string | null) {
    if (finished.current) return;
    finished.current = true;
    const problem = await onDone(result);
    if (problem) {
      finished.current = false;
      setError(problem);
      input.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void finish(value);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation(); // cancel the rename only; do not also close the sidebar overlay
      void finish(null);
    }
  }

  return (
    <div className="chat-list__rename-field">
      <input
        ref={input}
        className="field__input field__input--compact"
        aria-label="Chat title"
        maxLength={CHAT_TITLE_MAX_LENGTH}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => void finish(value)}
        aria-invalid={error !== null}
        aria-describedby={error ? 'rename-error' : undefined}
      />
      {error && (
        <p id="rename-error" className="chat-list__rename-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
