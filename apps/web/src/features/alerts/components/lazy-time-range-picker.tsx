import { lazy, Suspense } from 'react';
import { EuiButton } from '@elastic/eui';
import type { TimeRangePickerProps } from './time-range-picker';

const TimeRangePicker = lazy(() => import('./time-range-picker'));

/** The time range control; shows the range as text until the picker's code has arrived. */
export function LazyTimeRangePicker(props: TimeRangePickerProps) {
  return (
    <Suspense
      fallback={
        <EuiButton size="s" color="text" iconType="calendar" isLoading data-test-subj="alerts-date-picker-loading">
          {props.from} → {props.to}
        </EuiButton>
      }
    >
      <TimeRangePicker {...props} />
    </Suspense>
  );
}
