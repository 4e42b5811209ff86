import { EuiBadge } from '@elastic/eui';
import type { ExceptionItemStats } from '@execwatch/api';

const colors: Record<ExceptionItemStats['state'], string> = { active: 'success', expired: 'default', stale: 'warning' };

/** Active, expired or stale (no match for a long time). */
export function ExceptionStateBadge({ state }: { state: ExceptionItemStats['state'] }) {
  return (
    <EuiBadge color={colors[state]} data-test-subj="exception-state">
      {state}
    </EuiBadge>
  );
}
