import { useEffect, useMemo, useRef, useState } from 'react';
import { useAppState } from '../../AppContext.tsx';
import { chatHasMessages, composerClosure } from '../../store/study.ts';
import { Composer } from '../chat/Composer.tsx';
import { CompletionPanel } from './CompletionPanel.tsx';
import { LastReplyBar } from './LastReplyBar.tsx';
import { StudyLimits } from './StudyLimits.tsx';

/**
 * The bottom of the chat: the message box while the study lets this chat receive messages, the
 * completion panel where it was once it does not (after the reply to the last message, which can
 * still be stopped meanwhile). Without a study it is just the message box.
 */
export function StudyComposerArea({ chatId }: { chatId: string | null }) {
  const study = useAppState((s) => s.study);
  const hasMessages = useAppState((s) => chatHasMessages(s, chatId));
  const replying = useAppState((s) => (chatId ? s.replies[chatId] !== undefined : false));
  const closure = useMemo(() => composerClosure(study, chatId, hasMessages), [study, chatId, hasMessages]);
  return (
    <>
      <ClosingAnnouncer chatId={chatId} closed={closure !== null && closure.reason !== 'read_only' && !replying} />
      {closure && replying ? (
        <LastReplyBar />
      ) : closure ? (
        <CompletionPanel closure={closure} />
      ) : (
        <>
          <StudyLimits chatId={chatId} />
          <Composer chatId={chatId} />
        </>
      )}
    </>
  );
}

/**
 * Says "This conversation has ended" to screen readers when the chat on screen closes (the
 * region exists beforehand, which live regions need to be announced reliably). Opening a chat
 * that was closed already announces nothing: its panel is read in the page's order.
 */
function ClosingAnnouncer({ chatId, closed }: { chatId: string | null; closed: boolean }) {
  const [message, setMessage] = useState('');
  const previous = useRef({ chatId, closed });
  useEffect(() => {
    const before = previous.current;
    previous.current = { chatId, closed };
    if (closed && !before.closed && before.chatId === chatId) setMessage('This conversation has ended.');
    else if (before.chatId !== chatId) setMessage('');
  }, [chatId, closed]);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="study-status">
      {message}
    </div>
  );
}
