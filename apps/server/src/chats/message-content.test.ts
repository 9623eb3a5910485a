import { describe, expect, it } from 'vitest';
import { titleFromFirstMessage } from './message-content.ts';

describe('titleFromFirstMessage', () => {
  it('uses the first line without Markdown marks', () => {
    expect(titleFromFirstMessage('What is **Markdown**? Show `inline code` please\nmore')).toBe('What is Markdown? Show inline code please');
    expect(titleFromFirstMessage('## A heading')).toBe('A heading');
  });

  it('shortens long lines with an ellipsis and never returns an empty title', () => {
    const title = titleFromFirstMessage('word '.repeat(40));
    expect(title.length).toBeLessThanOrEqual(60);
    expect(title.endsWith('…')).toBe(true);
    expect(titleFromFirstMessage('***')).toBe('New chat');
  });
});
