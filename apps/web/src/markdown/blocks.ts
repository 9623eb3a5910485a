/**
 * Splits Markdown at blank lines that are outside fenced code blocks. While a reply streams,
 * each block is rendered on its own and only the last one changes with new tokens, so the work
 * per frame stays the size of one paragraph instead of growing with the whole reply. (Once the
 * reply is complete it is rendered in one piece, so constructs spanning blank lines, such as
 * loose lists, come out exactly right.)
 */
export function splitMarkdownBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    } else if (fence === null && line.trim() === '') {
      if (lineStart > start) blocks.push(text.slice(start, lineStart));
      start = lineEnd + 1;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (start < text.length) blocks.push(text.slice(start));
  return blocks.filter((block) => block.trim() !== '');
}
