import { EuiButton, EuiCallOut } from '@elastic/eui';
import { ApiError, errorMessage } from '../lib/http';

/** A failed query: says whether it is a permission problem, and offers a retry otherwise. */
export function QueryError({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title: string }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <EuiCallOut
      color={forbidden ? 'warning' : 'danger'}
      iconType={forbidden ? 'lock' : 'error'}
      title={forbidden ? 'You do not have permission to see this' : title}
      data-test-subj={forbidden ? 'no-permission' : 'query-error'}
    >
      <p>{errorMessage(error)}</p>
      {!forbidden && onRetry && (
        <EuiButton size="s" color="danger" onClick={onRetry}>
          Try again
        </EuiButton>
      )}
    </EuiCallOut>
  );
}
