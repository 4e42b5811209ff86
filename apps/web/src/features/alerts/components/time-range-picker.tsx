import { EuiSuperDatePicker } from '@elastic/eui';
import { commonlyUsedRanges } from '../../../lib/time-range';

export interface TimeRangePickerProps {
  from: string;
  to: string;
  refresh: number;
  onTimeChange: (from: string, to: string) => void;
  onRefreshChange: (refresh: number) => void;
  onRefresh: () => void;
}

/** EUI's super date picker; its own chunk because it brings moment and the date-picker widgets. */
export default function TimeRangePicker({ from, to, refresh, onTimeChange, onRefreshChange, onRefresh }: TimeRangePickerProps) {
  return (
    <EuiSuperDatePicker
      start={from}
      end={to}
      onTimeChange={({ start, end }) => onTimeChange(start, end)}
      isPaused={refresh === 0}
      refreshInterval={refresh > 0 ? refresh : 30_000}
      onRefreshChange={({ isPaused, refreshInterval }) => onRefreshChange(isPaused ? 0 : Math.max(refreshInterval, 1000))}
      onRefresh={onRefresh}
      commonlyUsedRanges={[...commonlyUsedRanges]}
      dateFormat="YYYY-MM-DD HH:mm:ss.SSS"
      data-test-subj="alerts-date-picker"
      width="auto"
    />
  );
}
