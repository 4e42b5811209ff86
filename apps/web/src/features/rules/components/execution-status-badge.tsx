import { EuiBadge } from '@elastic/eui';
import type { ExecutionStatus } from '@execwatch/api';

const colors: Record<ExecutionStatus, string> = { running: 'primary', succeeded: 'success', partial: 'warning', failed: 'danger' };

/** A rule run's status. */
export function ExecutionStatusBadge({ status }: { status: ExecutionStatus }) {
  return <EuiBadge color={colors[status]}>{status}</EuiBadge>;
}
