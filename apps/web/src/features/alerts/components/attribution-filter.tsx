import { useState } from 'react';
import { EuiFilterButton, EuiFilterGroup, EuiPopover, EuiSelectable, EuiText, type EuiSelectableOption } from '@elastic/eui';
import { attributionMatchSchema, type AttributionMatch } from '@execwatch/api';
import { verdictExplanations, verdictLabels } from '../../attribution/attribution-text';

/** Multi-select of attribution verdicts (who ran the exec: attributed, ambiguous, not attributed, not yet). */
export function AttributionFilter({ value, onChange }: { value: AttributionMatch[]; onChange: (next: AttributionMatch[]) => void }) {
  const [open, setOpen] = useState(false);
  const options: EuiSelectableOption[] = attributionMatchSchema.options.map((m) => ({
    key: m,
    label: verdictLabels[m],
    checked: value.includes(m) ? 'on' : undefined,
    title: verdictExplanations[m],
    'data-test-subj': `attribution-option-${m}`,
  }));
  return (
    <EuiFilterGroup compressed>
      <EuiPopover
        isOpen={open}
        closePopover={() => setOpen(false)}
        panelPaddingSize="none"
        button={
          <EuiFilterButton
            iconType="chevronSingleDown"
            onClick={() => setOpen(!open)}
            isSelected={open}
            hasActiveFilters={value.length > 0}
            numActiveFilters={value.length}
            data-test-subj="filter-attribution"
          >
            Attribution
          </EuiFilterButton>
        }
      >
        <EuiText size="xs" color="subdued" style={{ padding: '8px 12px 4px', maxWidth: 240 }}>
          Who ran the exec, from the kube-apiserver audit log
        </EuiText>
        <EuiSelectable
          aria-label="Attribution"
          options={options}
          onChange={(next) => onChange(next.filter((o) => o.checked === 'on').map((o) => attributionMatchSchema.parse(o.key)))}
        >
          {(list) => <div style={{ width: 240 }}>{list}</div>}
        </EuiSelectable>
      </EuiPopover>
    </EuiFilterGroup>
  );
}
