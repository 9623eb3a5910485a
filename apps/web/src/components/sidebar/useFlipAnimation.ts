import { useLayoutEffect, useRef, type RefObject } from 'react';

const DURATION_MS = 280;

/**
 * FLIP ("first, last, invert, play"): after the list re-orders, each item that moved is drawn
 * at its old position and slides to its new one, so a chat jumping to the top is visibly seen
 * moving there. Items carry `data-flip-id`. Does nothing for people who prefer reduced motion.
 */
export function useFlipAnimation(container: RefObject<HTMLElement | null>, order: readonly string[]): void {
  const previousTops = useRef(new Map<string, number>());
  const previousOrder = useRef<readonly string[]>(order);

  useLayoutEffect(() => {
    const root = container.current;
    if (!root) return;
    const items = [...root.querySelectorAll<HTMLElement>('[data-flip-id]')];
    // offsetTop (the list is position: relative) is unaffected by scrolling the sidebar between renders.
    const tops = new Map(items.map((el) => [el.dataset.flipId!, el.offsetTop]));
    const reordered = previousOrder.current !== order && previousOrder.current.length > 0;
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

    if (reordered && !reduceMotion) {
      const firstId = order[0];
      const movedToTop = firstId !== undefined && previousOrder.current[0] !== firstId && previousOrder.current.includes(firstId);
      for (const el of items) {
        const id = el.dataset.flipId!;
        const before = previousTops.current.get(id);
        const after = tops.get(id);
        if (after === undefined) continue;
        if (before === undefined) {
          // A chat that just got its first message appears rather than popping in.
          el.animate([{ opacity: 0, transform: 'translateY(-6px)' }, { opacity: 1, transform: 'translateY(0)' }], { duration: DURATION_MS });
          continue;
        }
        if (before === after) continue;
        el.animate([{ transform: `translateY(${before - after}px)` }, { transform: 'translateY(0)' }], {
          duration: DURATION_MS,
          easing: 'cubic-bezier(0.2, 0, 0, 1)',
        });
      }
      if (movedToTop) {
        const top = items.find((el) => el.dataset.flipId === firstId);
        // A short highlight marks which chat just moved; the class lets tests see it happened.
        top?.classList.add('chat-list__item--moved');
        setTimeout(() => top?.classList.remove('chat-list__item--moved'), 1_200);
      }
    }
    previousTops.current = tops;
    previousOrder.current = order;
  }, [container, order]);
}
