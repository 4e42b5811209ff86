import { EuiFlexGroup, EuiIcon, EuiFlexItem, EuiSkeletonText, EuiProgress, EuiSpacer, EuiText, EuiTitle } from '@elastic/eui';
import { useIsMutating } from '@tanstack/react-query';
import type { AttributionView, ChecklistGroupKind } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { isResponsibleIdentityStep } from '../../attribution/attribution-text';
import { IdentityAnswer } from '../../attribution/components/identity-answer';
import { useAbility } from '../../auth/components/abilities-context';
import { checklistMutationKeys } from '../api/keys';
import { useCachedChecklist, useChecklistQuery } from '../api/use-checklist-query';
import { useUpdateChecklistStepMutation } from '../api/use-update-checklist-step-mutation';
import { ChecklistStepItem } from './checklist-step';

const groupIcons: Record<ChecklistGroupKind, string> = { investigation: 'search', false_positive: 'question', response: 'securitySignalDetected' };

interface Props {
  alertId: string;
  onFilter: (field: string, value: string) => void;
  onShowRelated: (field: string, value: string) => void;
  /** Who ran the exec, from the alert: it answers the step about the user or service account responsible. */
  attribution?: AttributionView;
}

/** The investigation checklist built from the rule's guide, grouped as the guide is. */
export function ChecklistPanel({ alertId, onFilter, onShowRelated, attribution }: Props) {
  const checklist = useChecklistQuery(alertId);
  const cached = useCachedChecklist(alertId);
  const update = useUpdateChecklistStepMutation(alertId);
  const saving = useIsMutating({ mutationKey: checklistMutationKeys.updateStep(alertId) }) > 0;
  const triage = useAbility('alerts:triage');

  if (checklist.isPending) return <EuiSkeletonText lines={6} />;
  if (checklist.isError) return <QueryError error={checklist.error} title="The checklist could not be loaded" onRetry={() => void checklist.refetch()} />;
  const { groups, progress } = cached ?? checklist.data;
  if (groups.length === 0) {
    return (
      <EuiText size="s" color="subdued">
        <p>This rule has no investigation guide, so there is no checklist.</p>
      </EuiText>
    );
  }
  return (
    <div data-test-subj="checklist">
      <EuiFlexGroup alignItems="center" gutterSize="s" responsive={false}>
        <EuiFlexItem>
          <EuiProgress value={progress.done} max={progress.total} size="m" color={progress.required_remaining === 0 ? 'success' : 'primary'} aria-label="Checklist progress" />
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="s" data-test-subj="checklist-progress-text">
            {progress.done} of {progress.total} done
            {progress.required_remaining > 0 ? ` · ${progress.required_remaining} required left` : ' · required steps done'}
            {saving ? ' · Saving…' : ''}
          </EuiText>
        </EuiFlexItem>
      </EuiFlexGroup>
      {groups.map((group) => (
        <section key={group.id} aria-label={group.title}>
          <EuiSpacer size="m" />
          <EuiTitle size="xxs">
            <h3>
              <EuiIcon type={groupIcons[group.kind]} aria-hidden />{' '}
              {group.title} ({group.steps.filter((s) => s.done).length}/{group.steps.length})
            </h3>
          </EuiTitle>
          {group.steps.map((step) => (
            <ChecklistStepItem
              key={step.id}
              step={step}
              canTick={triage.allowed}
              tickReason={triage.reason}
              onFilter={onFilter}
              onShowRelated={onShowRelated}
              answer={attribution && isResponsibleIdentityStep(step.text) ? <IdentityAnswer attribution={attribution} /> : undefined}
              onToggle={(note) => update.toggleStep(step.id, note)}
              onSaveNote={(note) => update.saveNote(step.id, note)}
            />
          ))}
        </section>
      ))}
    </div>
  );
}
