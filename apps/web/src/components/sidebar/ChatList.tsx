import { useRef } from 'react';
import { useAppState } from '../../AppContext.tsx';
import { ChatListItem } from './ChatListItem.tsx';
import { useFlipAnimation } from './useFlipAnimation.ts';

export function ChatList({ onNavigate }: { onNavigate: () => void }) {
  const order = useAppState((s) => s.sidebarOrder);
  const loaded = useAppState((s) => s.chatsLoaded);
  const list = useRef<HTMLOListElement>(null);
  useFlipAnimation(list, order);

  return (
    <div className="sidebar__chats">
      <h2 className="sidebar__heading">Chats</h2>
      {loaded && order.length === 0 && <p className="sidebar__empty">Your conversations will appear here.</p>}
      <ol className="chat-list" ref={list} data-testid="chat-list">
        {order.map((chatId) => (
          <ChatListItem key={chatId} chatId={chatId} onNavigate={onNavigate} />
        ))}
      </ol>
    </div>
  );
}
