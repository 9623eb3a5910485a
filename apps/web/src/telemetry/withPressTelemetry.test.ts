import { describe, expect, it } from 'vitest';
import type { ChatController } from '../store/controller.ts';
import { withPressTelemetry } from './withPressTelemetry.ts';

describe('presses timed on the controller', () => {
  function setup(send: ChatController['send']) {
    const calls: string[] = [];
    const controller = { send: async (text: string) => (calls.push(`send ${text}`), send(text)), stop: () => void calls.push('stop') } as ChatController;
    const tracker = {
      sendPressed: () => void calls.push('pressed'),
      sendSettled: () => void calls.push('settled'),
      stopPressed: () => void calls.push('stop pressed'),
    };
    return { calls, tracked: withPressTelemetry(controller, tracker) };
  }

  it('marks the press before sending and clears it after, whatever the outcome', async () => {
    const ok = setup(async () => true);
    expect(await ok.tracked.send('hi')).toBe(true);
    expect(ok.calls).toEqual(['pressed', 'send hi', 'settled']);
    const failing = setup(async () => Promise.reject(new Error('boom')));
    await expect(failing.tracked.send('hi')).rejects.toThrow('boom');
    expect(failing.calls).toEqual(['pressed', 'send hi', 'settled']);
  });

  it('measures what was shown before the stop frame leaves', () => {
    const { calls, tracked } = setup(async () => true);
    tracked.stop();
    expect(calls).toEqual(['stop pressed', 'stop']);
  });
});
