import { useAppState } from '../../AppContext.tsx';
import { StudyComposerArea } from '../study/StudyComposerArea.tsx';
import { MessageList } from './MessageList.tsx';

/** The open chat: messages above, the message box (or, once a study closes the chat, its closing note) below. */
export function ChatView() {
  const chatId = useAppState((s) => s.activeChatId);
  return (
    <div className="chat">
      <MessageList chatId={chatId} />
      <StudyComposerArea chatId={chatId} />
    </div>
  );
}
