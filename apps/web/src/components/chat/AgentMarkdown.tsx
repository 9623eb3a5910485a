import { memo, useMemo, useSyncExternalStore } from 'react';
import { useServices } from '../../AppContext.tsx';
import { splitMarkdownBlocks } from '../../markdown/blocks.ts';
import type { RenderMarkdown } from '../../markdown/lazyMarkdown.ts';

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
      <div className="markdown">
        {blocks.map((block, index) => (
          <MarkdownHtml key={index} text={block} render={render} className="markdown__block" />
        ))}
      </div>
    );
  }
  return <MarkdownHtml text={text} render={render} className="markdown" />;
});

const MarkdownHtml = memo(function MarkdownHtml({ text, render, className }: { text: string; render: RenderMarkdown; className: string }) {
  const html = useMemo(() => render(text), [render, text]);
  // The HTML comes from the Markdown renderer, which escapes raw HTML and sanitizes with DOMPurify.
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
});
