// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { createMarkdownRenderer } from './render.ts';

const render = createMarkdownRenderer(window);

describe('agent Markdown', () => {
  it('renders common Markdown', () => {
    const html = render('# Title\n\nSome **bold** and `code`.\n\n- one\n- two');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toMatch(/<li>one<\/li>/);
  });

  it('highlights code blocks of registered languages and escapes the rest', () => {
    const highlighted = render('```js\nconst x = 1;\n```');
    expect(highlighted).toContain('class="hljs language-js"');
    expect(highlighted).toContain('<span class="hljs-keyword">const</span>');
    const plain = render('```brainfuck\n<+>\n```');
    expect(plain).toContain('&lt;+&gt;');
    expect(plain).not.toContain('hljs-');
  });

  it('gives a code block a header with its language and a copy button, outside the scrolling code', () => {
    const dom = document.createElement('div');
    dom.innerHTML = render('```python\nprint("hi")\n```');
    const block = dom.querySelector('.code-block');
    expect(block?.querySelector('.code-block__header span')?.textContent).toBe('python');
    const copy = block?.querySelector('.code-block__header button[data-copy-code]');
    expect(copy?.getAttribute('aria-label')).toBe('Copy code');
    expect(copy?.getAttribute('type')).toBe('button');
    expect(block?.querySelector('pre code')?.textContent).toBe('print("hi")');
    // Raw HTML in a reply cannot make such a button: it is shown as text.
    const raw = document.createElement('div');
    raw.innerHTML = render('<button data-copy-code>x</button>');
    expect(raw.querySelector('button')).toBeNull();
  });

  it('never lets HTML or scripts through', () => {
    const html = render('Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> <b onclick="x()">b</b>');
    const dom = document.createElement('div');
    dom.innerHTML = html;
    expect(dom.querySelector('script, img, [onerror], [onclick]')).toBeNull();
    expect(dom.textContent).toContain('<script>alert(1)</script>'); // shown as text, not run
  });

  it('drops javascript: links and opens real links in a new tab', () => {
    const dom = document.createElement('div');
    dom.innerHTML = render('[bad](javascript:alert(1)) [good](https://example.org)');
    const links = [...dom.querySelectorAll('a')];
    expect(links.some((a) => a.getAttribute('href')?.startsWith('javascript'))).toBe(false);
    const good = links.find((a) => a.textContent === 'good');
    expect(good?.getAttribute('target')).toBe('_blank');
    expect(good?.getAttribute('rel')).toContain('noopener');
  });

  it('shows a Markdown image as a link instead of loading it from elsewhere', () => {
    const dom = document.createElement('div');
    dom.innerHTML = render('![a chart](https://tracker.example/p.png?chat=secret) and ![](https://x.example/i.png)');
    expect(dom.querySelector('img')).toBeNull();
    const links = [...dom.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target')])).toEqual([
      ['a chart', 'https://tracker.example/p.png?chat=secret', '_blank'],
      ['https://x.example/i.png', 'https://x.example/i.png', '_blank'],
    ]);
  });

  it('copes with the half-written Markdown seen while a reply streams', () => {
    expect(() => render('```python\ndef f(:\n')).not.toThrow();
    expect(render('```python\ndef f():\n    return')).toContain('<pre');
    expect(render('**unfinished bold')).toContain('**unfinished bold');
  });
});
