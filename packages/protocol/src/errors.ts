import { z } from 'zod';

/**
 * Every error a client can see, REST or socket. Each code maps to one HTTP status so the
 * REST layer and the socket layer describe a failure the same way.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unknown_type: 400,
  message_empty: 400,
  message_too_long: 400,
  unauthorized: 401,
  bad_access_code: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  agent_failed: 502,
  agent_timeout: 504,
  agent_rate_limited: 429,
  agent_unavailable: 503,
  // Studies (see study.ts): why a participant may not send or act right now.
  consent_required: 403,
  consent_declined: 403,
  limit_reached: 403,
  // Researcher login without RESEARCHER_PASSWORD_HASH configured.
  researcher_disabled: 403,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const apiErrorSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;
