/**
 * The guard rails on closing risky sessions, as the server enforces them: one alert of a high-risk session closed
 * as false or benign positive needs a comment (400 high_risk_comment_required); a bulk close that takes in
 * high-risk sessions needs a confirmation (409 high_risk_confirmation_required), and a comment for those reasons.
 */
import { z } from 'zod';
import { ErrorIds, type ClosingReason, type SessionRisk } from '@execwatch/api';
import { ApiError } from '../../lib/http';
import { isHighRisk, riskSentence } from './session-risk-text';

/** Closing reasons that say "this was not an attack": the ones the guard rails apply to. */
export const dismissingReasons: ReadonlySet<ClosingReason> = new Set<ClosingReason>(['false_positive', 'benign_positive']);

const reasonWords: Record<ClosingReason, string> = {
  true_positive: 'true positive',
  false_positive: 'false positive',
  benign_positive: 'benign positive',
  duplicate: 'duplicate',
  other: 'other',
  matched_exception: 'matched an exception',
};

/** What the close dialog asks of its comment for a reason. */
export interface CommentRule {
  required: boolean;
  label: string;
  /** Why the comment is required, shown above it; null when nothing needs saying. */
  warning: string | null;
}

/** The comment rule of closing one alert (`session` null for a bulk close, where the server decides). */
export function closeCommentRule(reason: ClosingReason, session: SessionRisk | null): CommentRule {
  if (dismissingReasons.has(reason) && isHighRisk(session) && session) {
    return {
      required: true,
      label: 'Why is this not an attack? (required for a high-risk session)',
      warning: `${riskSentence(session, 2)}. Closing it as ${reasonWords[reason]} needs a comment saying why.`,
    };
  }
  if (reason === 'other') return { required: true, label: 'Explain (required for other)', warning: null };
  return { required: false, label: 'Comment (optional)', warning: null };
}

/** Whether the close dialog may send: a required comment must have text. */
export function canConfirmClose(rule: CommentRule, comment: string): boolean {
  return !rule.required || comment.trim().length > 0;
}

/** A bulk close the server held back: how many high-risk sessions it would close, and what they did. */
export interface HighRiskConfirmation {
  /** null when the server did not say (the message still does). */
  count: number | null;
  behaviors: string[];
  message: string;
}

const confirmationDetailsSchema = z.object({
  high_risk: z.number().int().min(0).optional(),
  behaviors: z.array(z.string()).optional(),
});

/** The server's 409 asking to confirm closing high-risk sessions, read from a failed bulk update; null for any other error. */
export function readHighRiskConfirmation(err: unknown): HighRiskConfirmation | null {
  if (!(err instanceof ApiError) || err.id !== ErrorIds.highRiskConfirmationRequired) return null;
  const details = confirmationDetailsSchema.safeParse(err.details ?? {});
  const fromMessage = /^(\d+) of these alerts/.exec(err.message);
  const count = details.success && details.data.high_risk !== undefined ? details.data.high_risk : fromMessage ? Number(fromMessage[1]) : null;
  // The message ends with an instruction for API clients; the dialog has its own button for it.
  const message = err.message.replace(/;\s*send confirm_high_risk: true to close them\.?$/, '');
  return { count, behaviors: details.success ? (details.data.behaviors ?? []) : [], message };
}

/** Whether confirming a bulk close of high-risk sessions for this reason needs a comment. */
export function confirmationNeedsComment(reason: ClosingReason): boolean {
  return dismissingReasons.has(reason);
}

/** `1 alert is a high-risk session`, `3 alerts are high-risk sessions` (the dialog's title). */
export function highRiskCountText(count: number | null): string {
  if (count === null) return 'Some alerts are high-risk sessions';
  return count === 1 ? '1 alert is a high-risk session' : `${count.toLocaleString('en-US')} alerts are high-risk sessions`;
}

/** A refusal of the server for the close dialog: without the field name API clients get, as a sentence. */
export function refusalText(message: string): string {
  const text = message.replace(/^reason_text:\s*/, '').trim();
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return sentence === '' || /[.?!]$/.test(sentence) ? sentence : `${sentence}.`;
}
