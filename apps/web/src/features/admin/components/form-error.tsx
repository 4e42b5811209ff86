import { EuiCallOut, EuiSpacer } from '@elastic/eui';
import { errorMessage } from '../../../lib/http';

/** The server's answer to a failed form, in its own words. */
export function FormError({ error, title }: { error: unknown; title: string }) {
  if (!error) return null;
  return (
    <>
      <EuiCallOut color="danger" iconType="error" size="s" title={title} data-test-subj="admin-form-error">
        <p>{errorMessage(error)}</p>
      </EuiCallOut>
      <EuiSpacer size="m" />
    </>
  );
}
