import { useState } from 'react';
import { EuiFilterButton, EuiFilterGroup, EuiPopover, EuiSelectable, type EuiSelectableOption } from '@elastic/eui';
import { severitySchema, type Severity } from '@execwatch/api';

/** Severity multi-select, as Kibana's filter popovers. */
export function SeverityFilter({ value, onChange }: { value: Severity[]; onChange: (next: Severity[]) => void }) {
  const [open, setOpen] = useState(false);
  const options: EuiSelectableOption[] = severitySchema.options.map((s) => ({
    key: s,
    label: s.charAt(0).toUpperCase() + s.slice(1),
    checked: value.includes(s) ? 'on' : undefined,
    'data-test-subj': `severity-option-${s}`,
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
            data-test-subj="filter-severity"
          >
            Severity
          </EuiFilterButton>
        }
      >
        <EuiSelectable
          aria-label="Severity"
          options={options}
          onChange={(next) =>
            onChange(next.filter((o) => o.checked === 'on').map((o) => severitySchema.parse(o.key)))
          }
        >
          {(list) => <div style={{ width: 180 }}>{list}</div>}
        </EuiSelectable>
      </EuiPopover>
    </EuiFilterGroup>
  );
}
