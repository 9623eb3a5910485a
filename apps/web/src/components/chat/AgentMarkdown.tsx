import { memo, useMemo, useSyncExternalStore } from 'react';
import { useServices } from '../../AppContext.tsx';

/** Agent text rendered as sanitized Markdown; parsed again only when the text changes. */
export const AgentMarkdown = memo(function AgentMarkdown({ text }: { text: string }) {
  const { markdown } = useServices();
  const render = useSyncExternalStore(markdown.subscribe, markdown.get);
  const html = useMemo(() => (render ? render(text) : null), [render, text]);
  // Until the Markdown code has loaded, the text is shown as it is (React escapes it).
  if (html === null) return <div className="markdown markdown--plain">{text}</div>;
  // The HTML comes from renderMarkdown, which escapes raw HTML and sanitizes with DOMPurify.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
});
