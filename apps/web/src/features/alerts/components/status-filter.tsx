import { EuiFilterButton, EuiFilterGroup } from '@elastic/eui';
import { workflowStatusSchema, type AlertStatsResponse, type WorkflowStatus } from '@execwatch/api';
import { formatCount, statusLabels } from '../../../lib/format';

/** Open / acknowledged / closed toggles with their counts in the current range and filters. */
export function StatusFilter({
  value,
  counts,
  onChange,
}: {
  value: WorkflowStatus[];
  counts: AlertStatsResponse['by_status'] | undefined;
  onChange: (next: WorkflowStatus[]) => void;
}) {
  const toggle = (status: WorkflowStatus) =>
    onChange(value.includes(status) ? value.filter((s) => s !== status) : [...value, status]);
  return (
    <EuiFilterGroup compressed aria-label="Status">
      {workflowStatusSchema.options.map((status) => (
        <EuiFilterButton
          key={status}
          withNext={status !== 'closed'}
          hasActiveFilters={value.includes(status)}
          isToggle
          isSelected={value.includes(status)}
          onClick={() => toggle(status)}
          numFilters={counts ? counts[status] : undefined}
          numActiveFilters={counts ? counts[status] : undefined}
          data-test-subj={`status-filter-${status}`}
          aria-label={`${statusLabels[status]}: ${counts ? formatCount(counts[status]) : 'loading'} alerts`}
        >
          {statusLabels[status]}
        </EuiFilterButton>
      ))}
    </EuiFilterGroup>
  );
}
