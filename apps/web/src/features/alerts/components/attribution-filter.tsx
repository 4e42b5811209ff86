import { EuiText } from '@elastic/eui';
import { attributionMatchSchema, type AttributionMatch } from '@execwatch/api';
import { verdictExplanations, verdictLabels } from '../../attribution/attribution-text';
import { EnumFilter } from './enum-filter';

const options = attributionMatchSchema.options.map((m) => ({ value: m, label: verdictLabels[m], title: verdictExplanations[m] }));

/** Multi-select of attribution verdicts (who ran the exec: attributed, ambiguous, not attributed, not yet). */
export function AttributionFilter({ value, onChange }: { value: AttributionMatch[]; onChange: (next: AttributionMatch[]) => void }) {
  return (
    <EnumFilter
      label="Attribution"
      name="attribution"
      options={options}
      value={value}
      onChange={onChange}
      width={240}
      caption={
        <EuiText size="xs" color="subdued" style={{ padding: '8px 12px 4px', maxWidth: 240 }}>
          Who ran the exec, from the kube-apiserver audit log
        </EuiText>
      }
    />
  );
}
