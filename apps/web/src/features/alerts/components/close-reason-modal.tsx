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
} from '@elastic/eui';
import type { ClosingReason, SessionRisk } from '@execwatch/api';
import { closingReasonLabels } from '../../../lib/format';
import { canConfirmClose, closeCommentRule } from '../../session-risk/close-guard';

const reasonOptions = (Object.keys(closingReasonLabels) as ClosingReason[]).map((id) => ({
  id,
  label: closingReasonLabels[id],
  'data-test-subj': `close-reason-${id}`,
}));

interface Props {
  count: number;
  onCancel: () => void;
  onConfirm: (reason: ClosingReason, text: string) => void;
  isLoading: boolean;
  /** Shown when the server refused, e.g. required checklist steps are not done. */
  error?: string | null;
  /** Warns before submitting that false positive / benign need the required steps. */
  requiredRemaining?: number;
  /** The session of the one alert being closed: a high-risk one needs a comment to be closed as false or benign positive. */
  session?: SessionRisk | null;
}

/** Asks why alerts are being closed (as Kibana's closing reasons) before closing them. */
export function CloseReasonModal({ count, onCancel, onConfirm, isLoading, error, requiredRemaining = 0, session = null }: Props) {
  const [reason, setReason] = useState<ClosingReason>('true_positive');
  const [text, setText] = useState('');
  const comment = closeCommentRule(reason, session);
  const needsSteps = (reason === 'false_positive' || reason === 'benign_positive') && requiredRemaining > 0;
  return (
    <EuiModal onClose={onCancel} data-test-subj="close-reason-modal" aria-labelledby="close-reason-title">
      <EuiModalHeader>
        <EuiModalHeaderTitle id="close-reason-title">Close {count === 1 ? 'alert' : `${count.toLocaleString('en-US')} alerts`}</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiFormRow label="Reason" fullWidth>
          <EuiRadioGroup options={reasonOptions} idSelected={reason} onChange={(id) => setReason(id as ClosingReason) /* ids come from reasonOptions */} name="closing-reason" />
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
        {needsSteps && (
          <EuiCallOut color="warning" iconType="warning" size="s" title={`${requiredRemaining} required checklist step(s) are not done`} data-test-subj="close-needs-steps">
            <p>Closing as false positive or benign needs the required investigation steps done first.</p>
          </EuiCallOut>
        )}
        {error && <EuiCallOut color="danger" iconType="error" size="s" title={error} data-test-subj="close-error" />}
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onCancel}>Cancel</EuiButtonEmpty>
        <EuiButton
          fill
          color="primary"
          isLoading={isLoading}
          isDisabled={!canConfirmClose(comment, text)}
          onClick={() => onConfirm(reason, text.trim())}
          data-test-subj="close-confirm"
        >
          Close {count === 1 ? 'alert' : 'alerts'}
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}
