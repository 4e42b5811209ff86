import { useState, type FormEvent } from 'react';
import {
  EuiBadge,
  EuiButton,
  EuiButtonEmpty,
  EuiButtonIcon,
  EuiCallOut,
  EuiCodeBlock,
  EuiConfirmModal,
  EuiCopy,
  EuiFieldText,
  EuiFlexGroup,
  EuiFlexItem,
  EuiForm,
  EuiFormRow,
  EuiInMemoryTable,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiSelect,
  EuiSpacer,
  EuiTab,
  EuiTabs,
  EuiText,
  EuiToolTip,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import type { ApiKeyInfoDto, CreateApiKeyResponse } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { formatTime } from '../../../lib/format';
import { errorMessage } from '../../../lib/http';
import { useMe } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useApiKeysQuery } from '../api/use-api-keys-query';
import { useCreateApiKeyMutation } from '../api/use-create-api-key-mutation';
import { useInvalidateApiKeyMutation } from '../api/use-invalidate-api-key-mutation';
import { useUsersQuery } from '../api/use-users-query';
import { FormError } from './form-error';
import { apiKeySnippets, apiKeyStatus, EXPIRY_CHOICES, type ApiKeyStatus } from '../api-key-text';

const statusColors: Record<ApiKeyStatus, string> = { active: 'success', expired: 'warning', revoked: 'default' };
const statusLabels: Record<ApiKeyStatus, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

/** API keys: the signed-in user's (an admin sees everyone's); create one, shown once; revoke. */
export function ApiKeysTab() {
  const me = useMe();
  const isAdmin = me.abilities['users:manage'];
  const keys = useApiKeysQuery();
  // An admin sees whose roles each key acts with; others only have keys of their own.
  const users = useUsersQuery({ enabled: isAdmin });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyInfoDto | null>(null);
  const revoke = useInvalidateApiKeyMutation();
  const toast = useToast();
  const createBlocker = me.authentication === 'api_key' ? 'You are signed in with an API key, which cannot create keys. Sign in with your password.' : undefined;

  const rolesOf = (username: string): string => {
    if (username === me.user.username) return me.user.roles.join(', ');
    const owner = users.data?.users.find((u) => u.username === username);
    return owner ? owner.roles.join(', ') : '—';
  };

  const columns: Array<EuiBasicTableColumn<ApiKeyInfoDto>> = [
    {
      field: 'name',
      name: 'Name',
      render: (_: string, k: ApiKeyInfoDto) => (
        <span>
          <strong data-test-subj="api-key-name">{k.name}</strong>
          <br />
          <EuiText size="xs" color="subdued" component="span">
            id {k.id}
          </EuiText>
        </span>
      ),
    },
    { field: 'username', name: 'Owner', width: '130px' },
    { name: 'Acts with the roles', width: '170px', render: (k: ApiKeyInfoDto) => <span title="A key has its owner's current roles">{rolesOf(k.username)}</span> },
    { field: 'creation', name: 'Created', width: '200px', render: (v: number) => formatTime(v) },
    { field: 'expiration', name: 'Expires', width: '200px', render: (v: number | undefined) => (v === undefined ? 'never' : formatTime(v)) },
    {
      name: 'Status',
      width: '100px',
      render: (k: ApiKeyInfoDto) => {
        const status = apiKeyStatus(k);
        return (
          <EuiBadge color={statusColors[status]} data-test-subj="api-key-status">
            {statusLabels[status]}
          </EuiBadge>
        );
      },
    },
    {
      name: 'Actions',
      width: '80px',
      render: (k: ApiKeyInfoDto) => (
        <EuiToolTip content={k.invalidated ? 'Already revoked' : 'Revoke: anything using this key gets 401 from now on'}>
          <EuiButtonIcon iconType="trash" color="danger" aria-label={`Revoke ${k.name}`} isDisabled={k.invalidated} onClick={() => setRevoking(k)} data-test-subj="api-key-revoke" />
        </EuiToolTip>
      ),
    },
  ];

  return (
    <>
      {created && <CreatedKeyCallout created={created} onDone={() => setCreated(null)} />}
      <EuiFlexGroup justifyContent="spaceBetween" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiText size="s" color="subdued">
            <p>
              {isAdmin ? 'Every user\u2019s keys.' : 'Your keys.'} A key acts with its owner&apos;s current roles. For a shipper, create a user with only the{' '}
              <strong>ingest</strong> role, sign in as them and create the key there.
            </p>
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <AbilityTooltip reason={createBlocker}>
            <EuiButton fill iconType="plusCircle" isDisabled={createBlocker !== undefined} onClick={() => setCreating(true)} data-test-subj="api-key-create">
              Create API key
            </EuiButton>
          </AbilityTooltip>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="m" />
      {keys.isError ? (
        <QueryError error={keys.error} title="API keys could not be loaded" onRetry={() => void keys.refetch()} />
      ) : (
        <EuiInMemoryTable<ApiKeyInfoDto>
          tableCaption="API keys"
          items={keys.data ?? []}
          itemId="id"
          columns={columns}
          pagination={{ initialPageSize: 20, pageSizeOptions: [20, 50, 100] }}
          loading={keys.isPending}
          noItemsMessage={keys.isPending ? 'Loading…' : 'No API keys yet.'}
          rowProps={(k: ApiKeyInfoDto) => ({ 'data-test-subj': 'api-key-row', 'data-key-id': k.id, 'data-key-name': k.name })}
          data-test-subj="api-keys-table"
        />
      )}
      {creating && (
        <CreateApiKeyModal
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
          }}
        />
      )}
      {revoking && (
        <EuiConfirmModal
          title={`Revoke "${revoking.name}"?`}
          onCancel={() => setRevoking(null)}
          onConfirm={() =>
            revoke.mutate(revoking.id, {
              onSuccess: () => toast({ title: `API key "${revoking.name}" revoked` }),
              onError: (err) => toast({ title: 'The key was not revoked', text: errorMessage(err), color: 'danger' }),
              onSettled: () => setRevoking(null),
            })
          }
          cancelButtonText="Cancel"
          confirmButtonText="Revoke"
          buttonColor="danger"
          isLoading={revoke.isPending}
          data-test-subj="api-key-revoke-confirm"
        >
          <p>
            Owned by {revoking.username}. Anything that uses it (shippers, scripts) is refused with 401 from now on. A revoked key cannot be brought back.
          </p>
        </EuiConfirmModal>
      )}
    </>
  );
}

function CreateApiKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: (key: CreateApiKeyResponse) => void }) {
  const me = useMe();
  const [name, setName] = useState('');
  const [expiration, setExpiration] = useState('90d');
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateApiKeyMutation();
  const toast = useToast();
  const nameProblem = name.trim() === '' ? 'A name is required, e.g. the host or shipper that uses it.' : name.length > 200 ? 'At most 200 characters.' : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (nameProblem) return;
    create.mutate(
      { name: name.trim(), ...(expiration ? { expiration } : {}) },
      {
        onSuccess: (key) => {
          toast({ title: `API key "${key.name}" created`, text: 'Copy it now: it is shown only once.' });
          onCreated(key);
        },
      },
    );
  };

  return (
    <EuiModal onClose={onClose} style={{ width: 560 }} data-test-subj="api-key-create-modal">
      <EuiModalHeader>
        <EuiModalHeaderTitle>Create API key</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <FormError error={create.error} title="The key was not created" />
        <EuiForm id="api-key-create-form" component="form" onSubmit={onSubmit}>
          <EuiFormRow label="Name" isInvalid={submitted && nameProblem !== null} error={nameProblem ?? undefined}>
            <EuiFieldText value={name} onChange={(e) => setName(e.target.value)} isInvalid={submitted && nameProblem !== null} data-test-subj="api-key-form-name" />
          </EuiFormRow>
          <EuiFormRow label="Expires after" helpText="After that the key is refused; create a new one before.">
            <EuiSelect options={[...EXPIRY_CHOICES]} value={expiration} onChange={(e) => setExpiration(e.target.value)} data-test-subj="api-key-form-expiration" />
          </EuiFormRow>
          <EuiFormRow label="Access">
            <EuiText size="s" data-test-subj="api-key-form-access">
              <p>
                Acts as <strong>{me.user.username}</strong> with your roles (<strong>{me.user.roles.join(', ')}</strong>), and follows them if they change.
                Limiting a key to fewer privileges (role descriptors) is not supported; use a user with fewer roles instead.
              </p>
            </EuiText>
          </EuiFormRow>
        </EuiForm>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Cancel</EuiButtonEmpty>
        <EuiButton type="submit" form="api-key-create-form" fill isLoading={create.isPending} data-test-subj="api-key-form-submit">
          Create API key
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}

const snippetTabs = [
  { id: 'header', label: 'HTTP header' },
  { id: 'curl', label: 'curl' },
  { id: 'filebeat', label: 'Filebeat' },
  { id: 'agent', label: 'Elastic Agent' },
] as const;
type SnippetTab = (typeof snippetTabs)[number]['id'];

/** The new key, shown this once: the encoded form to copy, and how to use it. */
function CreatedKeyCallout({ created, onDone }: { created: CreateApiKeyResponse; onDone: () => void }) {
  const [tab, setTab] = useState<SnippetTab>('header');
  const snippets = apiKeySnippets(created, window.location.origin);
  const language: Record<SnippetTab, string> = { header: 'text', curl: 'bash', filebeat: 'yaml', agent: 'yaml' };
  return (
    <>
      <EuiCallOut color="success" iconType="check" title={`Copy the key "${created.name}" now: it will not be shown again`} data-test-subj="api-key-created">
        <EuiText size="s">
          <p>The server keeps only a hash of it. If it is lost, revoke it and create another.</p>
        </EuiText>
        <EuiSpacer size="s" />
        <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
          <EuiFlexItem>
            <EuiCodeBlock language="text" fontSize="m" paddingSize="s" transparentBackground={false} data-test-subj="api-key-encoded">
              {created.encoded}
            </EuiCodeBlock>
          </EuiFlexItem>
          <EuiFlexItem grow={false}>
            <EuiCopy textToCopy={created.encoded} afterMessage="Copied">
              {(copy) => (
                <EuiButton iconType="copy" onClick={copy} data-test-subj="api-key-copy">
                  Copy
                </EuiButton>
              )}
            </EuiCopy>
          </EuiFlexItem>
        </EuiFlexGroup>
        <EuiText size="xs" color="subdued">
          <p>
            Encoded form of <code>id:api_key</code> for <code>Authorization: ApiKey …</code>. Filebeat and Elastic Agent take <code>id:api_key</code> as it is
            in their snippets.
          </p>
        </EuiText>
        <EuiSpacer size="s" />
        <EuiTabs size="s">
          {snippetTabs.map((t) => (
            <EuiTab key={t.id} isSelected={tab === t.id} onClick={() => setTab(t.id)} data-test-subj={`api-key-snippet-tab-${t.id}`}>
              {t.label}
            </EuiTab>
          ))}
        </EuiTabs>
        <EuiCodeBlock language={language[tab]} isCopyable paddingSize="s" data-test-subj="api-key-snippet">
          {snippets[tab]}
        </EuiCodeBlock>
        <EuiSpacer size="s" />
        <EuiButton size="s" onClick={onDone} data-test-subj="api-key-created-done">
          I have copied it
        </EuiButton>
      </EuiCallOut>
      <EuiSpacer size="m" />
    </>
  );
}
