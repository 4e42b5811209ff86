import type { ReactElement } from 'react';
import { EuiToolTip } from '@elastic/eui';

/** Wraps a disabled control in a tooltip saying why it is disabled (the control must be focusable by its wrapper). */
export function AbilityTooltip({ reason, children }: { reason: string | undefined; children: ReactElement }) {
  if (!reason) return children;
  return (
    <EuiToolTip content={reason} data-test-subj="ability-tooltip">
      <span tabIndex={0} data-test-subj="ability-disabled">
        {children}
      </span>
    </EuiToolTip>
  );
}
