import { useState, type FormEvent } from 'react';
import {
  EuiButton,
  EuiCallOut,
  EuiFieldPassword,
  EuiFieldText,
  EuiForm,
  EuiFormRow,
  EuiPageTemplate,
  EuiPanel,
  EuiSpacer,
  EuiText,
  EuiTitle,
} from '@elastic/eui';
import { ApiError, errorMessage } from '../../../lib/http';
import { useLoginMutation } from '../api/use-login-mutation';

/** The login form shown to anyone without a session. */
export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const loginMutation = useLoginMutation();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    loginMutation.mutate({ username, password });
  };

  const failure = loginMutation.error;
  const failureText =
    failure instanceof ApiError && failure.status === 401 ? 'Wrong username or password.' : failure ? errorMessage(failure) : null;

  return (
    <EuiPageTemplate panelled={false} grow>
      <EuiPageTemplate.Section alignment="center">
        <EuiPanel style={{ width: 380 }} paddingSize="l">
          <EuiTitle size="m">
            <h1>Execwatch</h1>
          </EuiTitle>
          <EuiText size="s" color="subdued">
            <p>Triage interactive exec alerts on running containers.</p>
          </EuiText>
          <EuiSpacer />
          <EuiForm component="form" onSubmit={onSubmit} data-test-subj="login-form">
            {failureText && (
              <>
                <EuiCallOut color="danger" title={failureText} iconType="error" size="s" data-test-subj="login-error" />
                <EuiSpacer size="m" />
              </>
            )}
            <EuiFormRow label="Username">
              <EuiFieldText
                name="username"
                autoComplete="username"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                data-test-subj="login-username"
                autoFocus
              />
            </EuiFormRow>
            <EuiFormRow label="Password">
              <EuiFieldPassword
                name="password"
                type="dual"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                data-test-subj="login-password"
              />
            </EuiFormRow>
            <EuiSpacer />
            <EuiButton type="submit" fill fullWidth isLoading={loginMutation.isPending} data-test-subj="login-submit">
              Log in
            </EuiButton>
          </EuiForm>
        </EuiPanel>
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
}
