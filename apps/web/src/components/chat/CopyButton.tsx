import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from '../icons.tsx';

/**
 * Copies text to the clipboard. navigator.clipboard exists only in secure contexts (https or
 * localhost); lab servers are often plain http, so fall back to a hidden textarea + execCommand.
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the old way (permission denied, document not focused…).
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}

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
