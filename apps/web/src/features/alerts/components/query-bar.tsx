import { useEffect, useState } from 'react';
import { EuiFieldSearch, EuiFormRow } from '@elastic/eui';
import { AlertQuerySyntaxError, parseAlertQuery } from '@execwatch/api';

/** Why a query does not parse, or null when it does (the server uses the same parser). */
export function queryError(query: string): string | null {
  try {
    parseAlertQuery(query);
    return null;
  } catch (err) {
    if (err instanceof AlertQuerySyntaxError) return err.message;
    throw err;
  }
}

/** Free text and `field:value` terms (KQL-like, ANDed); checked as typed, applied on Enter. */
export function QueryBar({ value, onSubmit }: { value: string; onSubmit: (query: string) => void }) {
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(value), [value]);
  return (
    <EuiFormRow fullWidth isInvalid={error !== null} error={error ?? undefined} display="rowCompressed">
      <EuiFieldSearch
        fullWidth
        compressed
        isInvalid={error !== null}
        placeholder="Search: free text or field:value, e.g. process.name:bash namespace:payments -user:ci"
        aria-label="Search alerts"
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value);
          if (error) setError(queryError(e.target.value));
        }}
        onSearch={(q) => {
          const problem = queryError(q);
          setError(problem);
          if (!problem) onSubmit(q);
        }}
        isClearable
        data-test-subj="alerts-query"
      />
    </EuiFormRow>
  );
}
