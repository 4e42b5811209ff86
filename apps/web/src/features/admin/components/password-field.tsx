import { EuiButtonEmpty, EuiFieldPassword, EuiFormRow } from '@elastic/eui';
import { generatePassword, MIN_PASSWORD_LENGTH, passwordProblem } from '../user-guards';

/** A password field that states the server's rule, can generate a password, and shows it while typing. */
export function PasswordField({ label, value, onChange, showErrors, testSubj }: { label: string; value: string; onChange: (v: string) => void; showErrors: boolean; testSubj: string }) {
  const problem = passwordProblem(value);
  return (
    <EuiFormRow
      label={label}
      helpText={`At least ${MIN_PASSWORD_LENGTH} characters. Hand it over through a safe channel.`}
      isInvalid={showErrors && problem !== null}
      error={problem ?? undefined}
      labelAppend={
        <EuiButtonEmpty size="xs" iconType="refresh" onClick={() => onChange(generatePassword())} data-test-subj={`${testSubj}-generate`}>
          Generate
        </EuiButtonEmpty>
      }
    >
      <EuiFieldPassword
        type="dual"
        autoComplete="new-password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        isInvalid={showErrors && problem !== null}
        data-test-subj={testSubj}
      />
    </EuiFormRow>
  );
}
