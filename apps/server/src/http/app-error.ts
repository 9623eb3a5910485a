import { ERROR_STATUS, type ErrorCode } from '@parley/protocol';

/** An error meant for the client: its code and message are shown as they are. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = 'Chat') => new AppError('not_found', `${what} not found.`);
