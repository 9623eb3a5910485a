import { memo, useMemo, useSyncExternalStore, type MouseEvent } from 'react';
import { useServices } from '../../AppContext.tsx';
import { splitMarkdownBlocks } from '../../markdown/blocks.ts';
import type { RenderMarkdown } from '../../markdown/lazyMarkdown.ts';
import { copyText } from './copyText.ts';

/** The "Copy code" buttons of rendered code blocks live in HTML, so one listener serves them all. */
async function onCodeCopyClick(event: MouseEvent<HTMLDivElement>): Promise<void> {
  const button = (event.target as Element).closest<HTMLButtonElement>('[data-copy-code]');
  const code = button?.closest('.code-block')?.querySelector('code');
  if (!button || !code) return;
  const copied = await copyText(code.textContent ?? '');
  button.textContent = copied ? 'Copied' : 'Copy failed';
  setTimeout(() => (button.textContent = 'Copy code'), 1_500);
}

interface AgentMarkdownProps {
  text: string;
  /**
   * While streaming, the text is rendered block by block so a new token re-parses only the last
   * paragraph; a finished reply is rendered in one piece.
   */
  streaming?: boolean;
}

/** Agent text rendered as sanitized Markdown; parsed again only when the text changes. */
export const AgentMarkdown = memo(function AgentMarkdown({ text, streaming = false }: AgentMarkdownProps) {
  const { markdown } = useServices();
  const render = useSyncExternalStore(markdown.subscribe, markdown.get);
  const blocks = useMemo(() => (streaming ? splitMarkdownBlocks(text) : null), [streaming, text]);
  // Until the Markdown code has loaded, the text is shown as it is (React escapes it).
  if (!render) return <div className="markdown markdown--plain">{text}</div>;
  if (blocks) {
    return (
      <div className="markdown" onClick={onCodeCopyClick}>
        {blocks.map((block, index) => (
          <MarkdownHtml key={index} text={block} render={render} className="markdown__block" />
        ))}
      </div>
    );
  }
  return <MarkdownHtml text={text} render={render} className="markdown" onClick={onCodeCopyClick} />;
});

interface MarkdownHtmlProps {
  text: string;
  render: RenderMarkdown;
  className: string;
  onClick?: (event: MouseEvent<HTMLDivElement>) => void;
}

const MarkdownHtml = memo(function MarkdownHtml({ text, render, className, onClick }: MarkdownHtmlProps) {
  const html = useMemo(() => render(text), [render, text]);
  // The HTML comes from the Markdown renderer, which escapes raw HTML and sanitizes with DOMPurify.
  return <div className={className} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
