import { lazy, Suspense, useEffect, useState } from 'react';
import { EuiButton } from '@elastic/eui';
import { afterFirstScreen } from '../../../app/first-screen';
import { rangeLabel } from '../../../lib/time-range';
import type { TimeRangePickerProps } from './time-range-picker';

const TimeRangePicker = lazy(() => import('./time-range-picker'));

/** Set once the first rows have painted: from then on the picker's code may load (app/first-screen.ts). */
let mayLoad = false;

/** The picker's size (EUI's regular controls are 40 px high), so nothing moves when the picker replaces it. */
function PickerPlaceholder({ label }: { label: string }) {
  return (
    <div style={{ height: 40, minWidth: 300, display: 'flex', justifyContent: 'flex-end' }}>
      <EuiButton color="text" iconType="calendar" isLoading data-test-subj="alerts-date-picker-loading">
        {label}
      </EuiButton>
    </div>
  );
}

/** The time range control; shows the range as text until the rows are on screen and the picker's code has arrived. */
export function LazyTimeRangePicker(props: TimeRangePickerProps) {
  const [load, setLoad] = useState(mayLoad);
  useEffect(() => {
    if (load) return;
    let mounted = true;
    void afterFirstScreen().then(() => {
      mayLoad = true;
      if (mounted) setLoad(true);
    });
    return () => {
      mounted = false;
    };
  }, [load]);
  const placeholder = <PickerPlaceholder label={rangeLabel(props.from, props.to)} />;
  if (!load) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <TimeRangePicker {...props} />
    </Suspense>
  );
}
