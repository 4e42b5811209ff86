import { useEffect, useState } from 'react';
import { EuiButton, EuiContextMenuItem, EuiContextMenuPanel, EuiPopover } from '@elastic/eui';
import { ErrorIds, type AlertDetail, type TriageClosingReason, type WorkflowStatus } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { ApiError, errorMessage } from '../../../lib/http';
import { statusLabels } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { CloseReasonModal } from '../../alerts/components/close-reason-modal';
import { refusalText } from '../../session-risk/close-guard';
import { useChecklistQuery } from '../../checklist/api/use-checklist-query';
import { useUpdateAlertMutation } from '../api/use-update-alert-mutation';

/** The alert's status with a menu to change it; closing asks for a reason. */
export function StatusControl({ alert, onRequiredStepsMissing, closeRequest }: { alert: AlertDetail; onRequiredStepsMissing: () => void; closeRequest?: number }) {
  const [open, setOpen] = useState(false);
  const [closing, setClosing] = useState(false);
  const [closeError, setCloseError] = useState<string | null>(null);
  const triage = useAbility('alerts:triage');
  const mutation = useUpdateAlertMutation(alert.id);
  const checklist = useChecklistQuery(alert.id);
  const missingSteps = checklist.data?.groups.flatMap((g) => g.steps.filter((s) => s.required && !s.done).map((s) => s.text));
  const toast = useToast();
  // The keyboard's `c`: the same close dialog as the menu's "Close…", with its checks.
  useEffect(() => {
    if (closeRequest === undefined || !triage.allowed || alert.workflow_status === 'closed') return;
    setOpen(false);
    setClosing(true);
  }, [closeRequest]); // only a new request opens the dialog, not a change of status or ability

  const setStatus = (status: WorkflowStatus, reason?: TriageClosingReason, reasonText?: string) => {
    setOpen(false);
    setCloseError(null);
    mutation.mutate(
      { status, ...(reason ? { reason } : {}), ...(reasonText ? { reason_text: reasonText } : {}) },
      {
        onSuccess: () => {
          setClosing(false);
          toast({ title: `Alert marked as ${statusLabels[status].toLowerCase()}` });
        },
        onError: (err) => {
          if (err instanceof ApiError && err.id === ErrorIds.requiredStepsIncomplete) {
            setCloseError(err.message);
            onRequiredStepsMissing();
          } else if (err instanceof ApiError && err.id === ErrorIds.highRiskCommentRequired) {
            setCloseError(refusalText(err.message));
          } else if (status === 'closed') {
            setCloseError(errorMessage(err));
          } else {
            toast({ title: 'The status could not be changed', text: errorMessage(err), color: 'danger' });
          }
        },
      },
    );
  };

  const others = (['open', 'acknowledged', 'closed'] as const).filter((s) => s !== alert.workflow_status);
  const items = others.map((status) => (
    <EuiContextMenuItem
      key={status}
      onClick={() => (status === 'closed' ? (setOpen(false), setClosing(true)) : setStatus(status))}
      data-test-subj={`alert-status-${status}`}
    >
      {status === 'closed' ? 'Close…' : `Mark as ${statusLabels[status].toLowerCase()}`}
    </EuiContextMenuItem>
  ));

  return (
    <>
      <EuiPopover
        isOpen={open}
        closePopover={() => setOpen(false)}
        panelPaddingSize="none"
        button={
          <AbilityTooltip reason={triage.reason}>
            <EuiButton
              size="s"
              iconType="chevronSingleDown"
              iconSide="right"
              color={alert.workflow_status === 'open' ? 'primary' : alert.workflow_status === 'acknowledged' ? 'warning' : 'text'}
              isDisabled={!triage.allowed}
              isLoading={mutation.isPending}
              onClick={() => setOpen(!open)}
              data-test-subj="alert-status"
              data-status={alert.workflow_status}
              aria-label={`Status: ${statusLabels[alert.workflow_status]}. Change status`}
            >
              {statusLabels[alert.workflow_status]}
            </EuiButton>
          </AbilityTooltip>
        }
      >
        <EuiContextMenuPanel items={items} />
      </EuiPopover>
      {closing && (
        <CloseReasonModal
          count={1}
          isLoading={mutation.isPending}
          error={closeError}
          requiredRemaining={alert.checklist.required_remaining}
          missingSteps={missingSteps}
          session={alert.session}
          onCancel={() => {
            setClosing(false);
            setCloseError(null);
          }}
          onConfirm={(reason, text) => setStatus('closed', reason, text)}
        />
      )}
    </>
  );
}
