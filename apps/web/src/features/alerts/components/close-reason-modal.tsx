import { useState } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiCallOut,
  EuiFormRow,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiRadioGroup,
  EuiSpacer,
  EuiTextArea,
  EuiToolTip,
} from '@elastic/eui';
import { triageClosingReasonSchema, type TriageClosingReason, type SessionRisk } from '@execwatch/api';
import { closingReasonLabels } from '../../../lib/format';
import { canConfirmClose, closeCommentRule } from '../../session-risk/close-guard';

const reasonOptions = triageClosingReasonSchema.options.map((id) => ({
  id,
  label: closingReasonLabels[id],
  'data-test-subj': `close-reason-${id}`,
}));

interface Props {
  count: number;
  onCancel: () => void;
  onConfirm: (reason: TriageClosingReason, text: string) => void;
  isLoading: boolean;
  /** Shown when the server refused, e.g. required checklist steps are not done. */
  error?: string | null;
  /** Warns before submitting that false positive / benign need the required steps. */
  requiredRemaining?: number;
  /** The session of the one alert being closed: a high-risk one needs a comment to be closed as false or benign positive. */
  session?: SessionRisk | null;
  /** Told each reason chosen (a bulk close asks the server what that reason would skip). */
  onReasonChange?: (reason: TriageClosingReason) => void;
  /** What the chosen reason would skip, and why, before confirming. */
  skipNotice?: string | null;
  /**
   * The texts of the required steps not done yet (one alert): closing as false or benign positive is disabled
   * until they are, and the dialog lists them.
   */
  missingSteps?: readonly string[];
}

/** Asks why alerts are being closed (as Kibana's closing reasons) before closing them. */
export function CloseReasonModal({ count, onCancel, onConfirm, isLoading, error, requiredRemaining = 0, session = null, onReasonChange, skipNotice = null, missingSteps }: Props) {
  const [reason, setReason] = useState<TriageClosingReason>('true_positive');
  const [text, setText] = useState('');
  const comment = closeCommentRule(reason, session);
  const gated = reason === 'false_positive' || reason === 'benign_positive';
  const needsSteps = gated && (missingSteps ? missingSteps.length > 0 : requiredRemaining > 0);
  const blockedBySteps = gated && missingSteps !== undefined && missingSteps.length > 0;
  return (
    <EuiModal onClose={onCancel} data-test-subj="close-reason-modal" aria-labelledby="close-reason-title">
      <EuiModalHeader>
        <EuiModalHeaderTitle id="close-reason-title">Close {count === 1 ? 'alert' : `${count.toLocaleString('en-US')} alerts`}</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiFormRow label="Reason" fullWidth>
          <EuiRadioGroup options={reasonOptions} idSelected={reason} onChange={(id) => { setReason(id as TriageClosingReason) /* ids come from reasonOptions */; onReasonChange?.(id as TriageClosingReason); }} name="closing-reason" />
        </EuiFormRow>
        {comment.warning && (
          <>
            <EuiSpacer size="s" />
            <EuiCallOut color="danger" iconType="warning" size="s" title="This session is high risk" data-test-subj="close-high-risk">
              <p>{comment.warning}</p>
            </EuiCallOut>
            <EuiSpacer size="s" />
          </>
        )}
        <EuiFormRow label={comment.label} fullWidth>
          <EuiTextArea fullWidth rows={3} value={text} onChange={(e) => setText(e.target.value)} data-test-subj="close-reason-text" />
        </EuiFormRow>
        {needsSteps && missingSteps ? (
          <EuiCallOut
            color="warning"
            iconType="warning"
            size="s"
            title={missingSteps.length === 1 ? 'One required checklist step is not done' : `${missingSteps.length} required checklist steps are not done`}
            data-test-subj="close-needs-steps"
          >
            <p>Closing as false or benign positive needs them done first:</p>
            <ul data-test-subj="close-missing-steps">
              {missingSteps.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          </EuiCallOut>
        ) : needsSteps ? (
          <EuiCallOut color="warning" iconType="warning" size="s" title={`${requiredRemaining} required checklist step(s) are not done`} data-test-subj="close-needs-steps">
            <p>Closing as false positive or benign needs the required investigation steps done first.</p>
          </EuiCallOut>
        ) : null}
        {skipNotice && (
          <EuiCallOut color="warning" iconType="warning" size="s" title="Some alerts will be left open" data-test-subj="close-skip-notice">
            <p>{skipNotice}</p>
          </EuiCallOut>
        )}
        {error && <EuiCallOut color="danger" iconType="error" size="s" title={error} data-test-subj="close-error" />}
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onCancel}>Cancel</EuiButtonEmpty>
        <EuiToolTip content={blockedBySteps ? `Do these required steps first: ${missingSteps.join(' · ')}` : undefined}>
          <span tabIndex={blockedBySteps ? 0 : -1} data-test-subj="close-confirm-wrapper">
            <EuiButton
              fill
              color="primary"
              isLoading={isLoading}
              isDisabled={blockedBySteps || !canConfirmClose(comment, text)}
              onClick={() => onConfirm(reason, text.trim())}
              data-test-subj="close-confirm"
            >
              Close {count === 1 ? 'alert' : 'alerts'}
            </EuiButton>
          </span>
        </EuiToolTip>
      </EuiModalFooter>
    </EuiModal>
  );
}
