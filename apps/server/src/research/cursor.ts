import { AppError } from '../http/app-error.ts';

/** An opaque page cursor: the (time, id) of the last row of the previous page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const ms = Number(text.slice(0, bar));
  if (bar < 1 || !Number.isSafeInteger(ms) || bar === text.length - 1) throw new AppError('validation_failed', 'cursor: not a cursor from this API.');
  return { at: new Date(ms), id: text.slice(bar + 1) };
}
