import { useAppState } from '../../AppContext.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';

/** The open chat: messages above, the message box pinned below. */
export function ChatView() {
  const chatId = useAppState((s) => s.activeChatId);
  return (
    <div className="chat">
      <MessageList chatId={chatId} />
      <Composer chatId={chatId} />
    </div>
  );
}
