import { useState } from 'react';
import { EuiComboBox, type EuiComboBoxOptionOption } from '@elastic/eui';
import type { AlertsViewState } from '../alerts-view-state';
import { ownFilter as viewKeys, useFieldValuesQuery } from '../api/use-field-values-query';


interface Props {
  field: keyof typeof viewKeys;
  label: string;
  view: AlertsViewState;
  onChange: (values: string[]) => void;
}

/** Multi-value filter on one field; options are the values present in range, any other value can be typed. */
export function FieldFilter({ field, label, view, onChange }: Props) {
  const [touched, setTouched] = useState(false);
  const values = useFieldValuesQuery(field, view, touched);
  const current = view[viewKeys[field]];
  const selected = current.map((v) => ({ label: v }));
  const options: Array<EuiComboBoxOptionOption<string>> = (values.data ?? []).map((v) => ({
    label: v.value,
    append: <span style={{ opacity: 0.6, fontSize: 12 }}>{v.count}</span>,
  }));
  return (
    <EuiComboBox
      aria-label={`Filter by ${label}`}
      placeholder={label}
      compressed
      style={{ minWidth: 170, maxWidth: 280 }}
      options={options}
      selectedOptions={selected}
      isLoading={values.isFetching}
      onFocus={() => setTouched(true)}
      onChange={(next) => onChange(next.map((o) => o.label))}
      onCreateOption={(value) => onChange([...current, value.trim()].filter((v) => v.length > 0))}
      data-test-subj={`filter-${field}`}
    />
  );
}
