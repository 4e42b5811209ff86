import { useState } from 'react';
import { EuiButtonEmpty, EuiPopover, EuiSelectable, type EuiSelectableOption } from '@elastic/eui';
import { alertColumns } from './alert-columns';

/** Popover to show or hide table columns. */
export function ColumnPicker({ visible, onChange }: { visible: string[]; onChange: (ids: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const options: EuiSelectableOption[] = alertColumns.map((c) => ({
    key: c.id,
    label: c.name,
    checked: visible.includes(c.id) ? 'on' : undefined,
  }));
  return (
    <EuiPopover
      isOpen={open}
      closePopover={() => setOpen(false)}
      panelPaddingSize="s"
      button={
        <EuiButtonEmpty size="xs" iconType="table" onClick={() => setOpen(!open)} data-test-subj="column-picker">
          Columns ({visible.length})
        </EuiButtonEmpty>
      }
    >
      <EuiSelectable
        aria-label="Visible columns"
        options={options}
        onChange={(next) => onChange(next.filter((o) => o.checked === 'on').map((o) => o.key ?? o.label))}
      >
        {(list) => <div style={{ width: 220 }}>{list}</div>}
      </EuiSelectable>
    </EuiPopover>
  );
}
