import { useEffect, useState } from 'react';
import { EuiFieldSearch } from '@elastic/eui';

/** Free text and `field:value` terms (KQL-like, ANDed); applied on Enter. */
export function QueryBar({ value, onSubmit }: { value: string; onSubmit: (query: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <EuiFieldSearch
      fullWidth
      compressed
      placeholder='Search: free text or field:value, e.g. process.name:bash orchestrator.namespace:payments'
      aria-label="Search alerts"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onSearch={(q) => onSubmit(q)}
      isClearable
      data-test-subj="alerts-query"
    />
  );
}
