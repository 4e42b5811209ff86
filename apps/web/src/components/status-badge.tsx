import { EuiBadge } from '@elastic/eui';
import type { WorkflowStatus } from '@execwatch/api';
import { statusLabels } from '../lib/format';

const colors: Record<WorkflowStatus, string> = { open: 'primary', acknowledged: 'warning', closed: 'default' };

/** Workflow status as a badge. */
export function StatusBadge({ status }: { status: WorkflowStatus }) {
  return <EuiBadge color={colors[status]}>{statusLabels[status]}</EuiBadge>;
}
