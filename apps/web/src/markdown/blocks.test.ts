import { describe, expect, it } from 'vitest';
import { splitMarkdownBlocks } from './blocks.ts';

describe('splitMarkdownBlocks', () => {
  it('splits paragraphs at blank lines', () => {
    expect(splitMarkdownBlocks('one\ntwo\n\nthree\n\n\nfour')).toEqual(['one\ntwo\n', 'three\n', 'four']);
  });

  it('keeps a fenced code block with blank lines in one block, even while unterminated', () => {
    const text = 'intro\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nafter';
    expect(splitMarkdownBlocks(text)).toEqual(['intro\n', '```js\nconst a = 1;\n\nconst b = 2;\n```\n', 'after']);
    expect(splitMarkdownBlocks('```\nopen\n\nstill code')).toEqual(['```\nopen\n\nstill code']);
  });

  it('closes a fence only with the same marker, at least as long', () => {
    const text = '````\n```\n\ninner\n````\n\nout';
    expect(splitMarkdownBlocks(text)).toEqual(['````\n```\n\ninner\n````\n', 'out']);
    expect(splitMarkdownBlocks('~~~\n```\n\nx\n~~~\n\ny')).toEqual(['~~~\n```\n\nx\n~~~\n', 'y']);
  });

  it('loses no text: only the blank lines between blocks are dropped', () => {
    const text = '# Title\n\n- a\n- b\n\n```py\nx\n\ny\n```\n\nend';
    expect(splitMarkdownBlocks(text).join('\n')).toBe(text);
  });

  it('handles empty and whitespace-only text', () => {
    expect(splitMarkdownBlocks('')).toEqual([]);
    expect(splitMarkdownBlocks('\n\n  \n')).toEqual([]);
  });
});
