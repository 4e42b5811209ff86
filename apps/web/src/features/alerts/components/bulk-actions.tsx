import { useState } from 'react';
import { EuiButton, EuiContextMenuItem, EuiContextMenuPanel, EuiPopover } from '@elastic/eui';
import type { AlertFilter, ClosingReason, WorkflowStatus } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { errorMessage } from '../../../lib/http';
import { formatCount } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useBulkUpdateAlertsMutation } from '../api/use-bulk-update-alerts-mutation';
import { CloseReasonModal } from './close-reason-modal';

/** What a bulk action applies to: the ticked ids, or every alert matching the view's filter. */
export type BulkTarget = { kind: 'ids'; ids: string[] } | { kind: 'query'; filter: AlertFilter; total: number };

/** "Take action" menu for the selected alerts. */
export function BulkActions({ target, onDone }: { target: BulkTarget; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [closing, setClosing] = useState(false);
  const triage = useAbility('alerts:triage');
  const mutation = useBulkUpdateAlertsMutation();
  const toast = useToast();
  const count = target.kind === 'ids' ? target.ids.length : target.total;

  const apply = (status: WorkflowStatus, reason?: ClosingReason, reasonText?: string) => {
    setOpen(false);
    const selector = target.kind === 'ids' ? { ids: target.ids } : { query: target.filter };
    mutation.mutate(
      { ...selector, status, ...(reason ? { reason } : {}), ...(reasonText ? { reason_text: reasonText } : {}) },
      {
        onSuccess: (result) => {
          setClosing(false);
          toast({
            title: `Updated ${formatCount(result.updated)} alert(s)`,
            text: result.skipped > 0 ? `${formatCount(result.skipped)} skipped: ${result.errors[0]?.message ?? 'not allowed'}` : undefined,
            color: result.skipped > 0 ? 'warning' : 'success',
          });
          onDone();
        },
        onError: (err) => toast({ title: 'Bulk update failed', text: errorMessage(err), color: 'danger' }),
      },
    );
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
    </>
  );
}
