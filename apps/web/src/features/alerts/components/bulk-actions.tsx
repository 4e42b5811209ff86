import { useState } from 'react';
import { EuiButton, EuiContextMenuItem, EuiContextMenuPanel, EuiPopover } from '@elastic/eui';
import { ErrorIds, type AlertFilter, type BulkUpdateAlerts, type ClosingReason, type WorkflowStatus } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { ApiError, errorMessage } from '../../../lib/http';
import { formatCount } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { readHighRiskConfirmation, refusalText, type HighRiskConfirmation } from '../../session-risk/close-guard';
import { HighRiskConfirmModal } from '../../session-risk/components/high-risk-confirm-modal';
import { useBulkUpdateAlertsMutation } from '../api/use-bulk-update-alerts-mutation';
import { bulkResultToast } from '../bulk-result';
import { CloseReasonModal } from './close-reason-modal';

/** What a bulk action applies to: the ticked ids, or every alert matching the view's filter. */
export type BulkTarget = { kind: 'ids'; ids: string[] } | { kind: 'query'; filter: AlertFilter; total: number };

/** A close the server held back until the analyst confirms closing its high-risk sessions. */
interface PendingConfirmation {
  confirmation: HighRiskConfirmation;
  reason: ClosingReason;
  comment: string;
  error: string | null;
}

/** "Take action" menu for the selected alerts. */
export function BulkActions({ target, onDone }: { target: BulkTarget; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [closing, setClosing] = useState(false);
  const [pending, setPending] = useState<PendingConfirmation | null>(null);
  const triage = useAbility('alerts:triage');
  const mutation = useBulkUpdateAlertsMutation();
  const toast = useToast();
  const count = target.kind === 'ids' ? target.ids.length : target.total;

  const apply = (status: WorkflowStatus, reason?: ClosingReason, reasonText?: string, confirmHighRisk = false) => {
    setOpen(false);
    const selector = target.kind === 'ids' ? { ids: target.ids } : { query: target.filter };
    const body: BulkUpdateAlerts = {
      ...selector,
      status,
      ...(reason ? { reason } : {}),
      ...(reasonText ? { reason_text: reasonText } : {}),
      ...(confirmHighRisk ? { confirm_high_risk: true } : {}),
    };
    mutation.mutate(body, {
      onSuccess: (result) => {
        setClosing(false);
        setPending(null);
        toast(bulkResultToast(result));
        onDone();
      },
      onError: (err) => {
        const confirmation = reason ? readHighRiskConfirmation(err) : null;
        if (confirmation && reason) {
          setClosing(false);
          setPending({ confirmation, reason, comment: reasonText ?? '', error: null });
        } else if (confirmHighRisk && err instanceof ApiError && err.id === ErrorIds.highRiskCommentRequired) {
          setPending((p) => p && { ...p, error: refusalText(err.message) });
        } else {
          setPending(null);
          toast({ title: 'Bulk update failed', text: errorMessage(err), color: 'danger' });
        }
      },
    });
  };

  const items = [
    <EuiContextMenuItem key="open" icon="folderOpen" onClick={() => apply('open')} data-test-subj="bulk-open">
      Mark as open
    </EuiContextMenuItem>,
    <EuiContextMenuItem key="ack" icon="eye" onClick={() => apply('acknowledged')} data-test-subj="bulk-acknowledge">
      Mark as acknowledged
    </EuiContextMenuItem>,
    <EuiContextMenuItem key="close" icon="folderCheck" onClick={() => { setOpen(false); setClosing(true); }} data-test-subj="bulk-close">
      Close…
    </EuiContextMenuItem>,
  ];

  return (
    <>
      <EuiPopover
        isOpen={open}
        closePopover={() => setOpen(false)}
        panelPaddingSize="none"
        anchorPosition="downLeft"
        button={
          <AbilityTooltip reason={triage.reason}>
            <EuiButton
              size="s"
              iconType="chevronSingleDown"
              iconSide="right"
              isDisabled={!triage.allowed || count === 0}
              isLoading={mutation.isPending}
              onClick={() => setOpen(!open)}
              data-test-subj="bulk-actions"
            >
              Take action on {formatCount(count)} alert{count === 1 ? '' : 's'}
            </EuiButton>
          </AbilityTooltip>
        }
      >
        <EuiContextMenuPanel items={items} />
      </EuiPopover>
      {closing && (
        <CloseReasonModal
          count={count}
          isLoading={mutation.isPending}
          onCancel={() => setClosing(false)}
          onConfirm={(reason, text) => apply('closed', reason, text)}
        />
      )}
      {pending && (
        <HighRiskConfirmModal
          confirmation={pending.confirmation}
          total={count}
          reason={pending.reason}
          initialComment={pending.comment}
          isLoading={mutation.isPending}
          error={pending.error}
          onCancel={() => setPending(null)}
          onConfirm={(comment) => apply('closed', pending.reason, comment, true)}
        />
      )}
    </>
  );
}
