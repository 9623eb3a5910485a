import { useAppState, useController } from '../../AppContext.tsx';
import { LogoutIcon } from '../icons.tsx';
import { initialsOf } from '../initials.ts';

/** The participant's avatar, name and the log-out button, at the foot of the sidebar. */
export function UserArea() {
  const username = useAppState((s) => (s.auth.status === 'authenticated' ? s.auth.user.username : ''));
  const controller = useController();
  return (
    <div className="user-area">
      <span className="avatar" aria-hidden="true">
        {initialsOf(username)}
      </span>
      <span className="user-area__name" title={username} data-testid="current-username">
        {username}
      </span>
      <button type="button" className="icon-button" onClick={() => void controller.logout()} aria-label="Log out" title="Log out">
        <LogoutIcon />
      </button>
    </div>
  );
}
