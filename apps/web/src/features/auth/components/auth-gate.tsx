import type { ReactNode } from 'react';
import { EuiButton, EuiEmptyPrompt, EuiLoadingSpinner, EuiPageTemplate } from '@elastic/eui';
import { errorMessage } from '../../../lib/http';
import { useMeQuery } from '../api/use-me-query';
import { LoginPage } from './login-page';
import { MeContext } from './abilities-context';

/** Renders its children for a logged-in user, the login page otherwise. */
export function AuthGate({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  if (me.isPending) {
    return (
      <EuiPageTemplate.Section alignment="center">
        <EuiLoadingSpinner size="xl" aria-label="Loading" />
      </EuiPageTemplate.Section>
    );
  }
  if (me.isError) {
    return (
      <EuiEmptyPrompt
        iconType="error"
        color="danger"
        title={<h2>Execwatch is unreachable</h2>}
        body={<p>{errorMessage(me.error)}</p>}
        actions={<EuiButton onClick={() => me.refetch()}>Try again</EuiButton>}
      />
    );
  }
  if (!me.data) return <LoginPage />;
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}
