import { useMemo, useState } from 'react';
import { EuiBasicTable, EuiCodeBlock, EuiFieldSearch, EuiSpacer } from '@elastic/eui';
import { displayValue, flattenDocument } from '../../../lib/document';

type Row = { field: string; value: string };

/** Every field of the alert document as a searchable table. */
export function FieldsTable({ document }: { document: Record<string, unknown> }) {
  const [filter, setFilter] = useState('');
  const rows = useMemo<Row[]>(() => flattenDocument(document).map(([field, value]) => ({ field, value: displayValue(value) })), [document]);
  const shown = filter ? rows.filter((r) => r.field.includes(filter) || r.value.includes(filter)) : rows;
  return (
    <>
      <EuiFieldSearch compressed fullWidth placeholder="Filter fields" aria-label="Filter fields" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <EuiSpacer size="s" />
      <EuiBasicTable<Row>
        tableCaption="All fields of the alert"
        items={shown}
        compressed
        columns={[
          { field: 'field', name: 'Field', width: '40%', render: (f: string) => <code>{f}</code> },
          { field: 'value', name: 'Value', render: (v: string) => <span style={{ wordBreak: 'break-all' }}>{v}</span> },
        ]}
        data-test-subj="alert-fields-table"
      />
    </>
  );
}

/** The alert document as JSON. */
export function JsonView({ document }: { document: Record<string, unknown> }) {
  return (
    <EuiCodeBlock language="json" isCopyable overflowHeight={600} fontSize="s" paddingSize="s" data-test-subj="alert-json">
      {JSON.stringify(document, null, 2)}
    </EuiCodeBlock>
  );
}
