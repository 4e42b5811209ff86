import { z } from 'zod';

/** Every error response body: `{ error, message, status }` with a stable `error` id. */
export const errorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  status: z.number().int(),
  /** Optional structured details, e.g. per-field validation issues. */
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Stable error ids shared by server and web. */
export const ErrorIds = {
  validation: 'validation_error',
  notFound: 'not_found',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  conflict: 'conflict',
  payloadTooLarge: 'payload_too_large',
  rateLimited: 'rate_limited',
  xsrfMissing: 'xsrf_header_missing',
  unavailable: 'unavailable',
  insufficientStorage: 'insufficient_storage',
  internal: 'internal_error',
  requiredStepsIncomplete: 'required_steps_incomplete',
  highRiskConfirmationRequired: 'high_risk_confirmation_required',
  highRiskCommentRequired: 'high_risk_comment_required',
  selectionChanged: 'selection_changed',
  exceptionExpired: 'exception_expired',
} as const;
export type ErrorId = (typeof ErrorIds)[keyof typeof ErrorIds];
