import { Axis, BarSeries, Chart, Position, ScaleType, Settings, type XYBrushEvent } from '@elastic/charts';
import '@elastic/charts/dist/theme_only_light.css';
import { EuiText } from '@elastic/eui';
import type { AlertStatsResponse } from '@execwatch/api';
import { formatTimeToMinute, getDisplayTimeZone } from '../../../lib/format';

interface Props {
  histogram: AlertStatsResponse['histogram'];
  /** The chart's height in pixels. */
  height?: number;
  /** Brushing a span narrows the time range to it, as in Kibana. */
  onBrush: (fromIso: string, toIso: string) => void;
}

/** Alerts over time; loaded as its own chunk because @elastic/charts is large. */
export default function AlertsHistogram({ histogram, height = 140, onBrush }: Props) {
  const total = histogram.buckets.reduce((sum, b) => sum + b.count, 0);
  return (
    <div data-test-subj="alerts-histogram" role="img" aria-label={`Alerts over time: ${total} alerts in ${histogram.buckets.length} intervals`}>
      {total === 0 ? (
        <EuiText size="s" color="subdued">
          <p>No alerts in this range.</p>
        </EuiText>
      ) : (
        <Chart size={{ height }}>
          <Settings
            showLegend={false}
            onBrushEnd={(event) => {
              const x = (event as XYBrushEvent).x;
              if (x) onBrush(new Date(x[0]).toISOString(), new Date(x[1]).toISOString());
            }}
            locale="en"
          />
          <BarSeries
            id="alerts"
            name="Alerts"
            data={histogram.buckets}
            xScaleType={ScaleType.Time}
            timeZone={getDisplayTimeZone() ?? 'local'}
            yScaleType={ScaleType.Linear}
            xAccessor="key"
            yAccessors={['count']}
            color="#DA8B45"
          />
          <Axis id="time" position={Position.Bottom} tickFormat={(v: number) => formatTimeToMinute(v)} />
          <Axis id="count" position={Position.Left} ticks={4} />
        </Chart>
      )}
    </div>
  );
}
