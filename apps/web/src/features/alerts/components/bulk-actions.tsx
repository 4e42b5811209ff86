import { useRef, useState } from 'react';
import { EuiButton, EuiConfirmModal, EuiContextMenuItem, EuiContextMenuPanel, EuiPopover } from '@elastic/eui';
import { ErrorIds, type AlertFilter, type BulkUpdateAlerts, type TriageClosingReason, type WorkflowStatus } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { ApiError, errorMessage } from '../../../lib/http';
import { formatCount } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { readHighRiskConfirmation, refusalText, type HighRiskConfirmation } from '../../session-risk/close-guard';
import { HighRiskConfirmModal } from '../../session-risk/components/high-risk-confirm-modal';
import { bulkUpdateAlerts, useBulkUpdateAlertsMutation } from '../api/use-bulk-update-alerts-mutation';
import { bulkResultToast } from '../bulk-result';
import { CloseReasonModal } from './close-reason-modal';
import { useBulkAssignTag } from '../../team/components/bulk-assign-tag';

/** What a bulk action applies to: the ticked ids, or every alert matching the view's filter. */
export type BulkTarget = { kind: 'ids'; ids: string[] } | { kind: 'query'; filter: AlertFilter; total: number };

/** A close the server held back until the analyst confirms closing its high-risk sessions. */
interface PendingConfirmation {
  confirmation: HighRiskConfirmation;
  reason: TriageClosingReason;
  comment: string;
  error: string | null;
}

/** "Take action" menu for the selected alerts. */
export function BulkActions({ target, onDone }: { target: BulkTarget; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  /** The count the server says the query selects now, once it differs from what the analyst saw. */
  const [changed, setChanged] = useState<{ total: number; message: string; retry: (total: number) => void } | null>(null);
  const skipNotice = useSkipNotice(target);
  const [closing, setClosing] = useState(false);
  const [pending, setPending] = useState<PendingConfirmation | null>(null);
  const triage = useAbility('alerts:triage');
  const mutation = useBulkUpdateAlertsMutation();
  const toast = useToast();
  const count = target.kind === 'ids' ? target.ids.length : target.total;
  const assignTag = useBulkAssignTag(target, onDone, () => setOpen(false));

  const apply = (status: WorkflowStatus, reason?: TriageClosingReason, reasonText?: string, confirmHighRisk = false, expectedTotal = count) => {
    setOpen(false);
    setChanged(null);
    const selector = target.kind === 'ids' ? { ids: target.ids } : { query: target.filter, expected_total: expectedTotal };
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
        const selectionChanged = readSelectionChanged(err);
        if (selectionChanged) {
          setClosing(false);
          setPending(null);
          setChanged({ ...selectionChanged, retry: (total) => apply(status, reason, reasonText, confirmHighRisk, total) });
        } else if (confirmation && reason) {
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
    assignTag.menuItem,
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
      {assignTag.modal}
      {closing && (
        <CloseReasonModal
          count={count}
          isLoading={mutation.isPending}
          onCancel={() => setClosing(false)}
          onConfirm={(reason, text) => apply('closed', reason, text)}
          onReasonChange={skipNotice.check}
          skipNotice={skipNotice.text}
        />
      )}
      {changed && (
        <EuiConfirmModal
          title="The selection changed"
          onCancel={() => setChanged(null)}
          onConfirm={() => changed.retry(changed.total)}
          cancelButtonText="Cancel"
          confirmButtonText={`Apply to ${formatCount(changed.total)} alert${changed.total === 1 ? '' : 's'}`}
          data-test-subj="selection-changed-modal"
        >
          <p>{changed.message.replace(/^the selection changed: /, '')}</p>
          <p>Alerts changed since you selected them (another analyst, or a rule run). Apply the action to the alerts the query selects now?</p>
        </EuiConfirmModal>
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

/** The 409 `selection_changed` answer: the count the query selects now. */
function readSelectionChanged(err: unknown): { total: number; message: string } | null {
  if (!(err instanceof ApiError) || err.id !== ErrorIds.selectionChanged) return null;
  const details = err.details as { total?: unknown } | undefined; // the server's details of this error id
  return typeof details?.total === 'number' ? { total: details.total, message: err.message } : null;
}

/**
 * Before a bulk close is confirmed: how many of the alerts the chosen reason would skip, and why (a dry run of the
 * same update on the server).
 */
function useSkipNotice(target: BulkTarget): { text: string | null; check: (reason: TriageClosingReason) => void } {
  const [text, setText] = useState<string | null>(null);
  const latest = useRef(0);
  const check = (reason: TriageClosingReason) => {
    setText(null);
    const asked = ++latest.current;
    const selector = target.kind === 'ids' ? { ids: target.ids } : { query: target.filter };
    bulkUpdateAlerts({ ...selector, status: 'closed', reason, dry_run: true })
      .then((r) => asked === latest.current && setText(r.skipped > 0 ? (r.skip_reasons ?? []).map((s) => s.message).join('; ') || `${formatCount(r.skipped)} alert(s) would be skipped` : null))
      .catch(() => setText(null));
  };
  return { text, check };
}
