import { severitySchema, type Severity } from '@execwatch/api';
import { EnumFilter } from './enum-filter';

const options = severitySchema.options.map((s) => ({ value: s, label: s.charAt(0).toUpperCase() + s.slice(1) }));

/** Severity multi-select, as Kibana's filter popovers. */
export function SeverityFilter({ value, onChange }: { value: Severity[]; onChange: (next: Severity[]) => void }) {
  return <EnumFilter label="Severity" name="severity" options={options} value={value} onChange={onChange} width={180} />;
}
