import type { ChatController } from '../store/controller.ts';
import type { TelemetryTracker } from './tracker.ts';

/**
 * The chat controller with stop pressed recorded first: what was on screen is measured before
 * the stop frame leaves, while the reply is still as the participant saw it.
 */
export function withStopTelemetry(controller: ChatController, tracker: Pick<TelemetryTracker, 'stopPressed'>): ChatController {
  return {
    ...controller,
    stop() {
      tracker.stopPressed();
      controller.stop();
    },
  };
}
