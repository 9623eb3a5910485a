import createDOMPurify from 'dompurify';
import { Marked } from 'marked';
import { highlightCode } from './highlight.ts';

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Turns agent Markdown into safe HTML. Two layers: raw HTML in the Markdown is shown as text
 * (an answer that *talks about* <script> should display it, not run it), and the result is
 * sanitized with DOMPurify anyway in case a Markdown construct produces something dangerous
 * (for example a javascript: link).
 */
export function createMarkdownRenderer(win: Window & typeof globalThis = window): (markdown: string) => string {
  const purify = createDOMPurify(win);
  purify.addHook('afterSanitizeAttributes', (node) => {
    // Links open in a new tab so the participant does not leave the study.
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });

  const marked = new Marked({
    gfm: true,
    breaks: true,
    renderer: {
      html: ({ text }) => escapeHtml(text),
      // An image would be fetched from wherever the reply points, telling that site the participant's
      // address (and whatever the URL carries): it is shown as a link the participant may choose to open.
      image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`,
      code: ({ text, lang }) => {
        const language = lang?.split(/\s/)[0];
        const highlighted = highlightCode(text, language);
        const label = language ? escapeHtml(language) : '';
        // The header sits outside the scrolling <pre>, so it stays put when a long line is scrolled;
        // AgentMarkdown handles the copy button's click (data-copy-code).
        return (
          `<div class="code-block"><div class="code-block__header"><span>${label}</span>` +
          `<button type="button" class="code-block__copy" data-copy-code aria-label="Copy code">Copy code</button></div>` +
          `<pre data-language="${label}"><code class="hljs${label ? ` language-${label}` : ''}">` +
          `${highlighted ?? escapeHtml(text)}</code></pre></div>\n`
        );
      },
    },
  });

  return (markdown: string) =>
    purify.sanitize(marked.parse(markdown, { async: false }), { USE_PROFILES: { html: true }, ADD_ATTR: ['target'], FORBID_TAGS: ['img'] });
}
