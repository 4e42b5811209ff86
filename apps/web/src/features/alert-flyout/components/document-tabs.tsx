import { useMemo, useState } from 'react';
import { EuiBasicTable, EuiButtonEmpty, EuiCopy, EuiFieldSearch, EuiPanel, EuiSpacer } from '@elastic/eui';
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

/** The alert document as JSON (a plain block: EUI's highlighter would pull every Prism grammar into the bundle). */
export function JsonView({ document }: { document: Record<string, unknown> }) {
  const json = JSON.stringify(document, null, 2);
  return (
    <EuiPanel color="subdued" paddingSize="s" hasBorder={false} data-test-subj="alert-json">
      <EuiCopy textToCopy={json}>
        {(copy) => (
          <EuiButtonEmpty size="xs" iconType="copy" onClick={copy}>
            Copy JSON
          </EuiButtonEmpty>
        )}
      </EuiCopy>
      <pre style={{ fontSize: 12, overflow: 'auto', maxHeight: 600, margin: 0 }} tabIndex={0} aria-label="Alert document as JSON">
        {json}
      </pre>
    </EuiPanel>
  );
}
