import type { z } from 'zod';
import { clientFrameSchema, serverFrameSchema, type ClientFrame, type ServerFrame } from './socket.ts';

export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'invalid_json' | 'unknown_type' | 'validation_failed'; message: string };

/** A short, human-readable account of what was wrong, without echoing the input back. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function parseFrame<T extends { type: string }>(
  raw: string,
  schema: z.ZodType<T>,
  knownTypes: ReadonlySet<string>,
): ParseResult<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The frame is not valid JSON.' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'validation_failed', message: 'A frame must be a JSON object with a "type".' };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !knownTypes.has(type)) {
    return { ok: false, code: 'unknown_type', message: `Unknown frame type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}.` };
  }
  const result = schema.safeParse(data);
  if (!result.success) return { ok: false, code: 'validation_failed', message: describeIssues(result.error) };
  return { ok: true, value: result.data };
}

const clientTypes = new Set(clientFrameSchema.options.map((o) => o.shape.type.value as string));
const serverTypes = new Set(serverFrameSchema.options.map((o) => o.shape.type.value as string));

export const parseClientFrame = (raw: string): ParseResult<ClientFrame> =>
  parseFrame(raw, clientFrameSchema as z.ZodType<ClientFrame>, clientTypes);

export const parseServerFrame = (raw: string): ParseResult<ServerFrame> =>
  parseFrame(raw, serverFrameSchema as z.ZodType<ServerFrame>, serverTypes);
