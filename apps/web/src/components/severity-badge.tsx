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

/** A lighter severity marker for table cells (plain elements, rendered once per row). */
export function SeverityDot({ severity }: { severity: Severity }) {
  return (
    <span style={{ whiteSpace: 'nowrap', fontSize: 14 }}>
      <span aria-hidden style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 4, background: severityColors[severity], marginRight: 6 }} />
      {severity.charAt(0).toUpperCase() + severity.slice(1)}
    </span>
  );
}
