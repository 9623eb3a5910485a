import type { ChatController } from '../store/controller.ts';
import type { TelemetryTracker } from './tracker.ts';

/**
 * The chat controller with the participant's presses timed where they happen: send (before a new
 * chat is created for it) and stop (measuring what was on screen before the stop frame leaves).
 */
export function withPressTelemetry(controller: ChatController, tracker: Pick<TelemetryTracker, 'sendPressed' | 'sendSettled' | 'stopPressed'>): ChatController {
  return {
    ...controller,
    async send(content) {
      tracker.sendPressed();
      try {
        return await controller.send(content);
      } finally {
        tracker.sendSettled();
      }
    },
    stop() {
      tracker.stopPressed();
      controller.stop();
    },
  };
}
