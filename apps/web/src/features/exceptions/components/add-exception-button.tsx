import { lazy, Suspense, useState } from 'react';
import { EuiButton, EuiButtonEmpty, EuiButtonIcon } from '@elastic/eui';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';

const ExceptionFlyout = lazy(() => import('./exception-flyout'));

interface Props {
  ruleId: string;
  alertId?: string;
  /** `icon` for table rows, `empty` for flyout footers, `button` for page headers. */
  display: 'icon' | 'empty' | 'button';
}

/** "Add exception": disabled with the reason for users without `exceptions:write`; opens the exception flyout (its own chunk). */
export function AddExceptionButton({ ruleId, alertId, display }: Props) {
  const write = useAbility('exceptions:write');
  const [open, setOpen] = useState(false);
  const common = { isDisabled: !write.allowed, onClick: () => setOpen(true), 'data-test-subj': 'add-exception' };
  return (
    <>
      <AbilityTooltip reason={write.reason}>
        {display === 'icon' ? (
          <EuiButtonIcon iconType="plusCircle" aria-label="Add rule exception" title="Add rule exception" {...common} />
        ) : display === 'empty' ? (
          <EuiButtonEmpty iconType="plusCircle" {...common}>
            Add rule exception
          </EuiButtonEmpty>
        ) : (
          <EuiButton iconType="plusCircle" {...common}>
            Add rule exception
          </EuiButton>
        )}
      </AbilityTooltip>
      {open && (
        <Suspense fallback={null}>
          <ExceptionFlyout ruleId={ruleId} alertId={alertId} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
