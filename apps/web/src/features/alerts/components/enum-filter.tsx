import { useState, type ReactNode } from 'react';
import { EuiFilterButton, EuiFilterGroup, EuiPopover, EuiSelectable, type EuiSelectableOption } from '@elastic/eui';

export interface EnumFilterOption<T extends string> {
  value: T;
  label: string;
  /** Shown on hover. */
  title?: string;
}

interface Props<T extends string> {
  /** The button's label, also the list's accessible name. */
  label: string;
  /** `filter-<name>` on the button, `<name>-option-<value>` on each option. */
  name: string;
  options: readonly EnumFilterOption<T>[];
  value: readonly T[];
  onChange: (next: T[]) => void;
  width: number;
  /** A line above the options. */
  caption?: ReactNode;
}

/** A multi-select of fixed values behind a filter button, as Kibana's filter popovers. */
export function EnumFilter<T extends string>({ label, name, options, value, onChange, width, caption }: Props<T>) {
  const [open, setOpen] = useState(false);
  const items: EuiSelectableOption[] = options.map((o) => ({
    key: o.value,
    label: o.label,
    checked: value.includes(o.value) ? 'on' : undefined,
    ...(o.title ? { title: o.title } : {}),
    'data-test-subj': `${name}-option-${o.value}`,
  }));
  const byKey = new Map<string, T>(options.map((o) => [o.value, o.value]));
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
            data-test-subj={`filter-${name}`}
          >
            {label}
          </EuiFilterButton>
        }
      >
        {caption}
        <EuiSelectable
          aria-label={label}
          options={items}
          onChange={(next) =>
            onChange(
              next.flatMap((o) => {
                const picked = o.checked === 'on' && o.key !== undefined ? byKey.get(o.key) : undefined;
                return picked === undefined ? [] : [picked];
              }),
            )
          }
        >
          {(list) => <div style={{ width }}>{list}</div>}
        </EuiSelectable>
      </EuiPopover>
    </EuiFilterGroup>
  );
}
