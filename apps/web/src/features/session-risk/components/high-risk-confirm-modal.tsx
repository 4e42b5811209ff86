import { useState } from 'react';
import {
  EuiBadge,
  EuiBadgeGroup,
  EuiButton,
  EuiButtonEmpty,
  EuiCallOut,
  EuiFormRow,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiSpacer,
  EuiText,
  EuiTextArea,
} from '@elastic/eui';
import type { TriageClosingReason } from '@execwatch/api';
import { closingReasonLabels, formatCount } from '../../../lib/format';
import { confirmationNeedsComment, highRiskCountText, type HighRiskConfirmation } from '../close-guard';

interface Props {
  confirmation: HighRiskConfirmation;
  /** How many alerts the close takes in, high risk or not. */
  total: number;
  reason: TriageClosingReason;
  /** The comment typed in the close dialog, kept. */
  initialComment: string;
  isLoading: boolean;
  /** The server's refusal of the confirmed close, if any. */
  error: string | null;
  onCancel: () => void;
  onConfirm: (comment: string) => void;
}

/**
 * The server held back a bulk close that takes in high-risk sessions: says how many and what they did, and
 * closes them only when the analyst confirms (with a comment when they are called false or benign positives).
 */
export function HighRiskConfirmModal({ confirmation, total, reason, initialComment, isLoading, error, onCancel, onConfirm }: Props) {
  const [comment, setComment] = useState(initialComment);
  const needsComment = confirmationNeedsComment(reason);
  const missing = needsComment && comment.trim().length === 0;
  return (
    <EuiModal onClose={onCancel} data-test-subj="high-risk-confirm-modal" aria-labelledby="high-risk-confirm-title" style={{ maxWidth: 620 }}>
      <EuiModalHeader>
        <EuiModalHeaderTitle id="high-risk-confirm-title">{highRiskCountText(confirmation.count)}</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiCallOut color="danger" iconType="warning" size="s" title={`Closing ${formatCount(total)} alert${total === 1 ? '' : 's'} as ${closingReasonLabels[reason].toLowerCase()}`}>
          <p data-test-subj="high-risk-confirm-message">{confirmation.message}.</p>
        </EuiCallOut>
        {confirmation.behaviors.length > 0 && (
          <>
            <EuiSpacer size="s" />
            <EuiText size="xs" color="subdued">
              <p>What {confirmation.count === 1 ? 'the session' : 'these sessions'} did:</p>
            </EuiText>
            <EuiBadgeGroup gutterSize="xs" data-test-subj="high-risk-confirm-behaviors">
              {confirmation.behaviors.map((b) => (
                <EuiBadge key={b} color="danger">
                  {b}
                </EuiBadge>
              ))}
            </EuiBadgeGroup>
          </>
        )}
        <EuiSpacer size="m" />
        <EuiFormRow
          fullWidth
          label={needsComment ? 'Why are these not attacks? (required)' : 'Comment (optional)'}
          helpText="Stored as the closing comment of every alert closed."
        >
          <EuiTextArea fullWidth rows={3} value={comment} onChange={(e) => setComment(e.target.value)} data-test-subj="high-risk-confirm-comment" />
        </EuiFormRow>
        {error && <EuiCallOut color="danger" iconType="error" size="s" title={error} data-test-subj="high-risk-confirm-error" />}
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onCancel} data-test-subj="high-risk-confirm-cancel">
          Cancel
        </EuiButtonEmpty>
        <EuiButton fill color="danger" isLoading={isLoading} isDisabled={missing} onClick={() => onConfirm(comment.trim())} data-test-subj="high-risk-confirm">
          Close them anyway
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}
