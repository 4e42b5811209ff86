import { useState, type FormEvent } from 'react';
import {
  EuiBadge,
  EuiBasicTable,
  EuiButton,
  EuiButtonEmpty,
  EuiButtonIcon,
  EuiConfirmModal,
  EuiFieldText,
  EuiFlexGroup,
  EuiFlexItem,
  EuiForm,
  EuiFormRow,
  EuiHealth,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiSpacer,
  EuiText,
  EuiToolTip,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import { useQueryClient } from '@tanstack/react-query';
import type { Role, User } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { formatTime } from '../../../lib/format';
import { authKeys } from '../../auth/api/keys';
import { useMe } from '../../auth/components/abilities-context';
import { useCreateUserMutation } from '../api/use-create-user-mutation';
import { useUpdateUserMutation } from '../api/use-update-user-mutation';
import { useUsersQuery } from '../api/use-users-query';
import { disableBlocker, passwordProblem, rolesBlocker, usernameProblem } from '../user-guards';
import { FormError } from './form-error';
import { PasswordField } from './password-field';
import { RolePicker } from './role-picker';

type Dialog = { kind: 'create' } | { kind: 'edit'; user: User } | { kind: 'password'; user: User } | { kind: 'toggle'; user: User };

/** Users: who may sign in, with which roles; create, change roles, reset a password, disable or enable. */
export function UsersTab() {
  const me = useMe();
  const users = useUsersQuery();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);

  const columns: Array<EuiBasicTableColumn<User>> = [
    {
      field: 'username',
      name: 'User name',
      render: (_: string, u: User) => (
        <span data-test-subj="user-username">
          <strong>{u.username}</strong>
          {u.username === me.user.username && (
            <>
              {' '}
              <EuiBadge color="hollow">you</EuiBadge>
            </>
          )}
        </span>
      ),
    },
    { field: 'full_name', name: 'Full name', render: (v: string | null) => v ?? '—' },
    {
      field: 'roles',
      name: 'Roles',
      render: (roles: Role[]) => (
        <span data-test-subj="user-roles">
          {roles.map((r) => (
            <EuiBadge key={r} color={r === 'admin' ? 'accent' : 'default'}>
              {r}
            </EuiBadge>
          ))}
        </span>
      ),
    },
    {
      field: 'enabled',
      name: 'Status',
      width: '110px',
      render: (enabled: boolean) => (
        <EuiHealth color={enabled ? 'success' : 'subdued'} data-test-subj="user-status">
          {enabled ? 'Enabled' : 'Disabled'}
        </EuiHealth>
      ),
    },
    { field: 'created_at', name: 'Created', width: '200px', render: (v: string) => formatTime(v) },
    {
      name: 'Actions',
      width: '200px',
      render: (u: User) => {
        const blocker = u.enabled ? disableBlocker(u, me.user.username) : null;
        return (
          <EuiFlexGroup gutterSize="xs" responsive={false} alignItems="center">
            <EuiToolTip content="Change name and roles">
              <EuiButtonIcon iconType="pencil" aria-label={`Change name and roles of ${u.username}`} onClick={() => setDialog({ kind: 'edit', user: u })} data-test-subj="user-edit" />
            </EuiToolTip>
            <EuiToolTip content="Reset the password">
              <EuiButtonIcon iconType="lock" aria-label={`Reset the password of ${u.username}`} onClick={() => setDialog({ kind: 'password', user: u })} data-test-subj="user-reset-password" />
            </EuiToolTip>
            <EuiToolTip content={blocker ?? (u.enabled ? 'Disable: ends their sessions and revokes their API keys' : 'Enable: they may sign in again')}>
              <span tabIndex={blocker ? 0 : undefined} data-test-subj={blocker ? 'user-toggle-blocked' : undefined}>
                <EuiButtonEmpty
                  size="xs"
                  color={u.enabled ? 'danger' : 'primary'}
                  isDisabled={blocker !== null}
                  onClick={() => setDialog({ kind: 'toggle', user: u })}
                  data-test-subj={u.enabled ? 'user-disable' : 'user-enable'}
                >
                  {u.enabled ? 'Disable' : 'Enable'}
                </EuiButtonEmpty>
              </span>
            </EuiToolTip>
          </EuiFlexGroup>
        );
      },
    },
  ];

  return (
    <>
      <EuiFlexGroup justifyContent="spaceBetween" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiText size="s" color="subdued">
            <p>Everyone who may sign in. Sign-in times are in the audit log (action auth.login).</p>
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiButton fill iconType="plusCircle" onClick={() => setDialog({ kind: 'create' })} data-test-subj="user-create">
            Create user
          </EuiButton>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="m" />
      {users.isError ? (
        <QueryError error={users.error} title="Users could not be loaded" onRetry={() => void users.refetch()} />
      ) : (
        <EuiBasicTable<User>
          tableCaption="Users"
          items={users.data?.users ?? []}
          itemId="username"
          columns={columns}
          loading={users.isPending}
          noItemsMessage={users.isPending ? 'Loading…' : 'No users.'}
          rowProps={(u: User) => ({ 'data-test-subj': 'user-row', 'data-username': u.username, 'data-enabled': String(u.enabled) })}
          data-test-subj="users-table"
        />
      )}
      {dialog?.kind === 'create' && <CreateUserModal onClose={close} />}
      {dialog?.kind === 'edit' && <EditUserModal user={dialog.user} me={me.user.username} onClose={close} />}
      {dialog?.kind === 'password' && <ResetPasswordModal user={dialog.user} isSelf={dialog.user.username === me.user.username} onClose={close} />}
      {dialog?.kind === 'toggle' && <ToggleEnabledModal user={dialog.user} onClose={close} />}
    </>
  );
}

function CreateUserModal({ onClose }: { onClose: () => void }) {
  const [username, setUsername] = useState('');
  const [fullName, setFullName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(['analyst']);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateUserMutation();
  const toast = useToast();
  const nameProblem = usernameProblem(username);
  const pwProblem = passwordProblem(password);
  const roleProblem = roles.length === 0 ? 'Choose at least one role.' : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (nameProblem || pwProblem || roleProblem) return;
    create.mutate(
      { username, password, roles, ...(fullName.trim() ? { full_name: fullName.trim() } : {}) },
      {
        onSuccess: (u) => {
          toast({ title: `User ${u.username} created`, text: `Roles: ${u.roles.join(', ')}` });
          onClose();
        },
      },
    );
  };

  return (
    <EuiModal onClose={onClose} style={{ width: 560 }} data-test-subj="user-create-modal">
      <EuiModalHeader>
        <EuiModalHeaderTitle>Create user</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <FormError error={create.error} title="The user was not created" />
        <EuiForm id="user-create-form" component="form" onSubmit={onSubmit}>
          <EuiFormRow label="User name" isInvalid={submitted && nameProblem !== null} error={nameProblem ?? undefined} helpText="Letters, digits and . _ @ -">
            <EuiFieldText value={username} onChange={(e) => setUsername(e.target.value)} isInvalid={submitted && nameProblem !== null} autoComplete="off" data-test-subj="user-form-username" />
          </EuiFormRow>
          <EuiFormRow label="Full name" helpText="Optional">
            <EuiFieldText value={fullName} onChange={(e) => setFullName(e.target.value)} data-test-subj="user-form-full-name" />
          </EuiFormRow>
          <PasswordField label="Initial password" value={password} onChange={setPassword} showErrors={submitted} testSubj="user-form-password" />
          <EuiFormRow label="Roles" isInvalid={submitted && roleProblem !== null} error={roleProblem ?? undefined}>
            <RolePicker idPrefix="create" value={roles} onChange={setRoles} />
          </EuiFormRow>
        </EuiForm>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Cancel</EuiButtonEmpty>
        <EuiButton type="submit" form="user-create-form" fill isLoading={create.isPending} data-test-subj="user-form-submit">
          Create user
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}

function EditUserModal({ user, me, onClose }: { user: User; me: string; onClose: () => void }) {
  const [fullName, setFullName] = useState(user.full_name ?? '');
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const update = useUpdateUserMutation();
  const toast = useToast();
  const blocker = rolesBlocker(user, roles, me);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (blocker) return;
    update.mutate(
      { username: user.username, patch: { roles, full_name: fullName.trim() } },
      {
        onSuccess: (u) => {
          toast({ title: `${u.username} updated`, text: `Roles: ${u.roles.join(', ')}` });
          onClose();
        },
      },
    );
  };

  return (
    <EuiModal onClose={onClose} style={{ width: 560 }} data-test-subj="user-edit-modal">
      <EuiModalHeader>
        <EuiModalHeaderTitle>Change {user.username}</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <FormError error={update.error} title="The change was not saved" />
        <EuiForm id="user-edit-form" component="form" onSubmit={onSubmit}>
          <EuiFormRow label="Full name">
            <EuiFieldText value={fullName} onChange={(e) => setFullName(e.target.value)} data-test-subj="user-form-full-name" />
          </EuiFormRow>
          <EuiFormRow label="Roles" isInvalid={blocker !== null} error={blocker ?? undefined} helpText="Takes effect at their next request, for their sessions and API keys alike.">
            <RolePicker idPrefix="edit" value={roles} onChange={setRoles} />
          </EuiFormRow>
        </EuiForm>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Cancel</EuiButtonEmpty>
        <EuiButton type="submit" form="user-edit-form" fill isDisabled={blocker !== null} isLoading={update.isPending} data-test-subj="user-form-submit">
          Save
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}

function ResetPasswordModal({ user, isSelf, onClose }: { user: User; isSelf: boolean; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const update = useUpdateUserMutation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const problem = passwordProblem(password);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (problem) return;
    update.mutate(
      { username: user.username, patch: { password } },
      {
        onSuccess: () => {
          toast({ title: `Password of ${user.username} reset`, text: 'Their sessions ended and their API keys were revoked.' });
          onClose();
          // One's own session has just ended: asking who is signed in again brings up the login form.
          if (isSelf) void queryClient.invalidateQueries({ queryKey: authKeys.all });
        },
      },
    );
  };

  return (
    <EuiModal onClose={onClose} style={{ width: 560 }} data-test-subj="user-password-modal">
      <EuiModalHeader>
        <EuiModalHeaderTitle>Reset the password of {user.username}</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <FormError error={update.error} title="The password was not changed" />
        <EuiText size="s">
          <p>
            Setting a new password <strong>signs {user.username} out everywhere</strong> and <strong>revokes all their API keys</strong> (revoked keys stay
            revoked). Shippers using their keys need new ones.
          </p>
          {isSelf && (
            <p data-test-subj="user-password-self">
              <strong>This is your own account:</strong> this browser is signed out too, and you sign in again with the new password.
            </p>
          )}
        </EuiText>
        <EuiSpacer size="m" />
        <EuiForm id="user-password-form" component="form" onSubmit={onSubmit}>
          <PasswordField label="New password" value={password} onChange={setPassword} showErrors={submitted} testSubj="user-form-password" />
        </EuiForm>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Cancel</EuiButtonEmpty>
        <EuiButton type="submit" form="user-password-form" fill color="danger" isLoading={update.isPending} data-test-subj="user-form-submit">
          Set password, end sessions, revoke keys
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}

function ToggleEnabledModal({ user, onClose }: { user: User; onClose: () => void }) {
  const update = useUpdateUserMutation();
  const toast = useToast();
  const disabling = user.enabled;
  return (
    <EuiConfirmModal
      title={disabling ? `Disable ${user.username}?` : `Enable ${user.username}?`}
      onCancel={onClose}
      onConfirm={() =>
        update.mutate(
          { username: user.username, patch: { enabled: !disabling } },
          {
            onSuccess: () => {
              toast({ title: disabling ? `${user.username} disabled` : `${user.username} enabled`, text: disabling ? 'Their sessions ended and their API keys were revoked.' : undefined });
              onClose();
            },
          },
        )
      }
      cancelButtonText="Cancel"
      confirmButtonText={disabling ? 'Disable' : 'Enable'}
      buttonColor={disabling ? 'danger' : 'primary'}
      isLoading={update.isPending}
      data-test-subj="user-toggle-confirm"
    >
      <FormError error={update.error} title={disabling ? 'The user was not disabled' : 'The user was not enabled'} />
      <p>
        {disabling
          ? `${user.username} can no longer sign in; their open sessions end at once and all their API keys are revoked (they stay revoked if the user is enabled again).`
          : `${user.username} may sign in again with their password. Keys revoked when they were disabled stay revoked.`}
      </p>
    </EuiConfirmModal>
  );
}
