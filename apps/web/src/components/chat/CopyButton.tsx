import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from '../icons.tsx';
import { copyText } from './copyText.ts';

/** `label` names what is copied for screen readers (the visible text stays "Copy"). */
export function CopyButton({ text, label: idleLabel = 'Copy reply' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1_500);
    return () => clearTimeout(timer);
  }, [state]);
  const label = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : idleLabel;
  return (
    <button
      type="button"
      className="message__action"
      onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
      aria-label={label}
      title={label}
    >
      {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      <span className="message__action-label">{state === 'copied' ? 'Copied' : 'Copy'}</span>
    </button>
  );
}
