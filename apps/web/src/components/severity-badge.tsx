import { EuiHealth } from '@elastic/eui';
import type { Severity } from '@execwatch/api';
import { severityColors } from '../lib/format';

/** Severity as a coloured dot and its name, as Kibana shows it. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <EuiHealth color={severityColors[severity]} textSize="s">
      {severity.charAt(0).toUpperCase() + severity.slice(1)}
    </EuiHealth>
  );
}
