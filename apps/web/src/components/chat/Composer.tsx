import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_MAX_LENGTH } from '@parley/protocol';
import { useAppState, useController, useDrafts } from '../../AppContext.tsx';
import { ArrowUpIcon, StopIcon } from '../icons.tsx';

/** The textarea grows with its text up to this height, then scrolls. */
const MAX_HEIGHT_PX = 200;

/**
 * The message box, always at the bottom. Enter sends, Shift+Enter adds a line. While the socket
 * is down it is disabled (nothing is queued); while the agent replies and the box is empty, Stop
 * takes the place of Send (typing brings Send back: a new message interrupts the reply).
 * What is typed stays with its chat until it is sent (store/drafts.ts).
 */
export function Composer({ chatId }: { chatId: string | null }) {
  const controller = useController();
  const connected = useAppState((s) => s.connection.status === 'open');
  const replying = useAppState((s) => (chatId ? s.replies[chatId] !== undefined : false));
  const drafts = useDrafts();
  const userId = useAppState((s) => (s.auth.status === 'authenticated' ? s.auth.user.id : ''));
  const [draft, setShownDraft] = useState(() => drafts.load(userId, chatId));
  const [sending, setSending] = useState(false);
  const setDraft = (text: string) => {
    setShownDraft(text);
    drafts.save(userId, chatId, text);
  };
  // Another chat on screen: its own unsent text, before the browser paints.
  const draftFor = useRef(chatId);
  useLayoutEffect(() => {
    if (draftFor.current === chatId) return;
    draftFor.current = chatId;
    setShownDraft(drafts.load(userId, chatId));
  }, [chatId, userId, drafts]);
  const input = useRef<HTMLTextAreaElement>(null);

  const tooLong = draft.length > MESSAGE_MAX_LENGTH;
  const canSend = connected && !sending && draft.trim().length > 0 && !tooLong;

  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [draft]);

  // Opening a chat puts the cursor in the message box, and so does the box becoming usable
  // (after login or a reconnect) if focus is nowhere else. Not on phones: it pops the keyboard.
  const shownChat = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (!connected || !window.matchMedia('(pointer: fine)').matches) return;
    const chatChanged = shownChat.current !== chatId;
    shownChat.current = chatId;
    const focusIsNowhere = !document.activeElement || document.activeElement === document.body;
    if (chatChanged || focusIsNowhere) input.current?.focus();
  }, [chatId, connected]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    setSending(true);
    // The first message of a new chat moves the box to the chat it creates: forget the draft where it was typed.
    const typedIn = chatId;
    const accepted = await controller.send(draft);
    setSending(false);
    if (accepted) {
      drafts.save(userId, typedIn, '');
      if (draftFor.current === typedIn) setShownDraft('');
    }
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter that confirms an IME candidate (Chinese, Japanese…) must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit} aria-label="Send a message">
      <div className={`composer__box${connected ? '' : ' composer__box--disabled'}`}>
        <textarea
          id="composer-input"
          ref={input}
          className="composer__input"
          rows={1}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={connected ? 'Message the agent' : 'Waiting for the connection…'}
          aria-label="Message"
          aria-describedby={tooLong ? 'composer-too-long' : undefined}
          disabled={!connected}
        />
        <div className="composer__buttons">
          {replying && draft.trim().length === 0 ? (
            <button type="button" className="round-button round-button--stop" onClick={controller.stop} aria-label="Stop reply" title="Stop reply" disabled={!connected}>
              <StopIcon />
            </button>
          ) : (
            <button type="submit" className="round-button" aria-label="Send message" title="Send message (Enter)" disabled={!canSend}>
              <ArrowUpIcon />
            </button>
          )}
        </div>
      </div>
      {tooLong ? (
        <p id="composer-too-long" className="composer__hint composer__hint--error" role="alert">
          {draft.length.toLocaleString('en')} / {MESSAGE_MAX_LENGTH.toLocaleString('en')} characters: please shorten your message.
        </p>
      ) : connected ? (
        <p className="composer__hint">Enter to send · Shift+Enter for a new line</p>
      ) : (
        <p className="composer__hint">Reconnecting… what you typed is kept.</p>
      )}
    </form>
  );
}
