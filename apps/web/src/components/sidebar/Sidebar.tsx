import { useEffect, useRef } from 'react';
import { useAppState, useController } from '../../AppContext.tsx';
import { mayStartNewChat } from '../../store/study.ts';
import { NewChatIcon, SidebarIcon } from '../icons.tsx';
import { ChatList } from './ChatList.tsx';
import { UserArea } from './UserArea.tsx';

interface SidebarProps {
  open: boolean;
  /** On narrow screens the sidebar is an overlay with a backdrop and traps nothing else. */
  narrow: boolean;
  onClose: () => void;
  /** Called after the participant picked a chat or started a new one (closes the overlay on phones). */
  onNavigate: () => void;
}

export function Sidebar({ open, narrow, onClose, onNavigate }: SidebarProps) {
  const controller = useController();
  const canStartChat = useAppState(mayStartNewChat);
  const panel = useRef<HTMLElement>(null);

  // Escape closes the overlay on phones, as for any dialog-like panel.
  useEffect(() => {
    if (!narrow || !open) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [narrow, open, onClose]);

  return (
    <>
      {narrow && open && <button type="button" className="sidebar-backdrop" aria-label="Close sidebar" tabIndex={-1} onClick={onClose} />}
      <nav
        id="sidebar"
        ref={panel}
        className="sidebar"
        aria-label="Chats"
        data-open={open ? 'true' : 'false'}
        // A closed sidebar is out of view; keep its buttons out of the tab order too.
        inert={!open}
      >
        <div className="sidebar__top">
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close sidebar" title="Close sidebar">
            <SidebarIcon />
          </button>
          {/* A one-conversation study has no "New chat" once the participant has written. */}
          {canStartChat && (
            <button
              type="button"
              className="sidebar__new"
              onClick={() => {
                controller.newChat();
                onNavigate();
                // Put the participant straight into the message box of the new chat.
                requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
              }}
            >
              <NewChatIcon />
              <span>New chat</span>
            </button>
          )}
        </div>
        <ChatList onNavigate={onNavigate} />
        <UserArea />
      </nav>
    </>
  );
}
