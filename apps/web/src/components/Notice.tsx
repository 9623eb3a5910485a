import { useAppState, useController } from '../AppContext.tsx';
import { CloseIcon } from './icons.tsx';

/** A passing problem (a chat that could not be opened, a rename that failed…), dismissible. */
export function Notice() {
  const notice = useAppState((s) => s.notice);
  const controller = useController();
  if (!notice) return null;
  return (
    <div className="banner banner--error" role="alert">
      <span className="banner__text">{notice}</span>
      <button type="button" className="icon-button icon-button--small" onClick={controller.dismissNotice} aria-label="Dismiss message">
        <CloseIcon />
      </button>
    </div>
  );
}
