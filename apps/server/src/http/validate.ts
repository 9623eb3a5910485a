import { describeIssues } from '@parley/protocol';
import type { z } from 'zod';
import { AppError } from './app-error.ts';

/** Parses untrusted input with a protocol schema; a failure becomes a 400 naming the fields at fault. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('validation_failed', describeIssues(result.error));
  return result.data;
}
