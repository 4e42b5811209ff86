import { describe, expect, it } from 'vitest';
import { ErrorIds, type ClosingReason, type SessionRisk } from '@execwatch/api';
import { ApiError } from '../../lib/http';
import { canConfirmClose, closeCommentRule, confirmationNeedsComment, highRiskCountText, readHighRiskConfirmation, refusalText } from './close-guard';

const session = (risk_score: number): SessionRisk => ({
  risk_score,
  risk_level: risk_score >= 75 ? 'critical' : risk_score >= 50 ? 'high' : risk_score >= 25 ? 'medium' : 'low',
  scored_at: null,
  related_alerts: [],
  behaviors: [
    { id: 'rs', title: 'Reverse shell', technique_id: 'T1059.004', technique_name: 'Unix Shell', weight: 45, match_count: 1, evidence: [] },
    { id: 'tok', title: 'Service account token read', technique_id: 'T1528', technique_name: 'Steal Application Access Token', weight: 30, match_count: 1, evidence: [] },
  ],
});

describe('closing one alert', () => {
  it.each(['false_positive', 'benign_positive'] as const)('needs a comment to call a high-risk session %s, and says why', (reason) => {
    const rule = closeCommentRule(reason, session(91));
    expect(rule.required).toBe(true);
    expect(rule.warning).toBe(`This session scored 91: Reverse shell; Service account token read. Closing it as ${reason.replace('_', ' ')} needs a comment saying why.`);
    expect(canConfirmClose(rule, '')).toBe(false);
    expect(canConfirmClose(rule, '   ')).toBe(false);
    expect(canConfirmClose(rule, 'pentest booked on CHG-1234')).toBe(true);
  });

  it.each([
    ['true_positive', 91],
    ['duplicate', 91],
    ['false_positive', 49],
    ['benign_positive', 0],
  ] as const)('lets %s close a session of %i without a comment', (reason, score) => {
    const rule = closeCommentRule(reason, session(score));
    expect(rule).toMatchObject({ required: false, warning: null });
    expect(canConfirmClose(rule, '')).toBe(true);
  });

  it('takes the threshold from the score: 50 is high risk', () => {
    expect(closeCommentRule('false_positive', session(50)).required).toBe(true);
  });

  it('lets an unscored session close as before, and still asks "other" to explain', () => {
    expect(closeCommentRule('false_positive', null).required).toBe(false);
    const other = closeCommentRule('other', null);
    expect(other).toEqual({ required: true, label: 'Explain (required for other)', warning: null });
  });
});

describe("the server's refusal in the dialog", () => {
  it('drops the field name meant for API clients and makes a sentence of it', () => {
    expect(refusalText('reason_text: this session scored 89 (Reverse shell): closing it as false positive needs a comment saying why')).toBe(
      'This session scored 89 (Reverse shell): closing it as false positive needs a comment saying why.',
    );
    expect(refusalText('Already a sentence.')).toBe('Already a sentence.');
  });
});

describe('closing alerts in bulk', () => {
  const held = new ApiError({
    error: ErrorIds.highRiskConfirmationRequired,
    message: '1 of these alerts are sessions of high risk (session risk 50 or more: Reverse shell; Service account token read); send confirm_high_risk: true to close them',
    status: 409,
    details: { high_risk: 1, behaviors: ['Reverse shell', 'Service account token read'] },
  });

  it("reads the server's 409: how many, what they did, the message without the instruction for API clients", () => {
    expect(readHighRiskConfirmation(held)).toEqual({
      count: 1,
      behaviors: ['Reverse shell', 'Service account token read'],
      message: '1 of these alerts are sessions of high risk (session risk 50 or more: Reverse shell; Service account token read)',
    });
  });

  it('falls back to the count in the message when the details are missing or odd', () => {
    const bare = new ApiError({ error: ErrorIds.highRiskConfirmationRequired, message: '3 of these alerts are sessions of high risk', status: 409, details: { high_risk: 'three' } });
    expect(readHighRiskConfirmation(bare)).toEqual({ count: 3, behaviors: [], message: '3 of these alerts are sessions of high risk' });
    const silent = new ApiError({ error: ErrorIds.highRiskConfirmationRequired, message: 'confirm first', status: 409 });
    expect(readHighRiskConfirmation(silent)?.count).toBeNull();
  });

  it('ignores every other error', () => {
    expect(readHighRiskConfirmation(new ApiError({ error: ErrorIds.requiredStepsIncomplete, message: 'x', status: 409 }))).toBeNull();
    expect(readHighRiskConfirmation(new Error('network'))).toBeNull();
    expect(readHighRiskConfirmation(null)).toBeNull();
  });

  it('asks for a comment when the confirmed close calls them false or benign positives', () => {
    const reasons: ClosingReason[] = ['true_positive', 'false_positive', 'benign_positive', 'duplicate', 'other'];
    expect(reasons.filter(confirmationNeedsComment)).toEqual(['false_positive', 'benign_positive']);
  });

  it('titles the confirmation with how many', () => {
    expect(highRiskCountText(1)).toBe('1 alert is a high-risk session');
    expect(highRiskCountText(1200)).toBe('1,200 alerts are high-risk sessions');
    expect(highRiskCountText(null)).toBe('Some alerts are high-risk sessions');
  });
});
