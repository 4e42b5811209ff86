import { lazy, Suspense } from 'react';
import { EuiButtonIcon } from '@elastic/eui';

// The button brings EUI's tooltip (for users who may not add exceptions); keep both out of the first page's code.
const AddExceptionButton = lazy(() => import('./add-exception-button').then((m) => ({ default: m.AddExceptionButton })));

/** The alert row's "Add rule exception" action. */
export function RowAddException({ ruleId, alertId }: { ruleId: string; alertId: string }) {
  return (
    <Suspense fallback={<EuiButtonIcon iconType="plusCircle" aria-label="Add rule exception" isDisabled />}>
      <AddExceptionButton ruleId={ruleId} alertId={alertId} display="icon" />
    </Suspense>
  );
}
