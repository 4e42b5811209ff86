import { EuiCheckbox, EuiFlexGroup, EuiText } from '@elastic/eui';
import type { Role } from '@execwatch/api';
import { ALL_ROLES } from '../user-guards';

/** One checkbox per role, each with what the role may do. */
export function RolePicker({ idPrefix, value, onChange }: { idPrefix: string; value: readonly Role[]; onChange: (roles: Role[]) => void }) {
  return (
    <EuiFlexGroup direction="column" gutterSize="s" data-test-subj="role-picker">
      {ALL_ROLES.map(({ role, description }) => (
        <EuiCheckbox
          key={role}
          id={`${idPrefix}-role-${role}`}
          checked={value.includes(role)}
          onChange={(e) => onChange(e.target.checked ? [...value, role] : value.filter((r) => r !== role))}
          label={
            <span>
              <strong>{role}</strong>{' '}
              <EuiText size="xs" color="subdued" component="span">
                {description}
              </EuiText>
            </span>
          }
          data-test-subj={`role-${role}`}
        />
      ))}
    </EuiFlexGroup>
  );
}
