import type { ReactNode } from 'react';
import {
  EuiBadge,
  EuiBadgeGroup,
  EuiBasicTable,
  EuiButtonIcon,
  EuiDescriptionList,
  EuiFlexGroup,
  EuiFlexItem,
  EuiIconTip,
  EuiPanel,
  EuiSpacer,
  EuiText,
  EuiTitle,
  EuiToolTip,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import type { AlertEntity, AttributionCandidateView, AttributionView } from '@execwatch/api';
import { formatTime } from '../../../lib/format';
import {
  candidateCount,
  clientName,
  describeOffset,
  formatOffset,
  refusedLine,
  verdictColors,
  verdictExplanations,
  verdictLabels,
  verdictSentence,
} from '../attribution-text';

/** The alert document field that holds the matched request's username. */
const REQUESTED_BY_FIELD = 'kubernetes.audit.user.username';

interface Props {
  attribution: AttributionView;
  entity: AlertEntity;
  /** "Filter alerts by this value", as the rest of the overview does it. */
  onFilter: (field: string, value: string) => void;
}

function FilterButton({ field, value, label, onFilter }: { field: string; value: string; label: string; onFilter: Props['onFilter'] }) {
  return (
    <EuiToolTip content={label} disableScreenReaderOutput>
      <EuiButtonIcon iconType="filter" size="xs" aria-label={label} onClick={() => onFilter(field, value)} />
    </EuiToolTip>
  );
}

function Caption({ children, tip }: { children: ReactNode; tip?: string }) {
  return (
    <EuiText size="xs" color="subdued">
      <span>
        {children}
        {tip && (
          <>
            {' '}
            <EuiIconTip type="info" size="s" color="subdued" content={tip} aria-label={tip} />
          </>
        )}
      </span>
    </EuiText>
  );
}

/** The Kubernetes identity of an exact match: user, impersonation, groups and the request's particulars. */
function ExactIdentity({ attribution: a, onFilter }: { attribution: AttributionView; onFilter: Props['onFilter'] }) {
  const username = a.user?.username ?? 'an unnamed user';
  const matched = a.candidates[0];
  const client = clientName(a.user_agent);
  const request = [a.verb, a.object_ref ? [a.object_ref.resource, a.object_ref.subresource].filter(Boolean).join('/') : null].filter(Boolean).join(' ');
  const target = a.object_ref?.namespace && a.object_ref.name ? `${a.object_ref.namespace}/${a.object_ref.name}` : null;
  return (
    <>
      <Caption tip="The identity the kube-apiserver authenticated for the exec request (OIDC user, certificate, token or service account).">Kubernetes user</Caption>
      <EuiFlexGroup gutterSize="xs" alignItems="center" responsive={false} wrap>
        <EuiFlexItem grow={false} style={{ minWidth: 0 }}>
          <span data-test-subj="attribution-user" style={{ fontSize: 20, fontWeight: 600, lineHeight: 1.3, wordBreak: 'break-all' }}>
            {username}
          </span>
        </EuiFlexItem>
        {a.user && (
          <EuiFlexItem grow={false}>
            <FilterButton field={REQUESTED_BY_FIELD} value={a.user.username} label={`Filter alerts requested by ${a.user.username}`} onFilter={onFilter} />
          </EuiFlexItem>
        )}
        {a.impersonated_user?.username && (
          <EuiFlexItem grow={false} data-test-subj="attribution-impersonated">
            <EuiText size="s">
              <span>
                as <strong>{a.impersonated_user.username}</strong>{' '}
                <EuiIconTip
                  type="users"
                  size="s"
                  content={`Impersonation: ${username} sent the request with the permissions of ${a.impersonated_user.username} (kubectl --as).`}
                  aria-label="Impersonation"
                />
              </span>
            </EuiText>
          </EuiFlexItem>
        )}
      </EuiFlexGroup>
      {a.user && a.user.groups.length > 0 && (
        <>
          <EuiSpacer size="xs" />
          <EuiBadgeGroup gutterSize="xs" data-test-subj="attribution-groups" aria-label="Kubernetes groups">
            {a.user.groups.map((g) => (
              <EuiBadge key={g} color={g.startsWith('system:') ? 'hollow' : 'default'} title={`Group ${g}`}>
                {g}
              </EuiBadge>
            ))}
          </EuiBadgeGroup>
        </>
      )}
      <EuiSpacer size="s" />
      <EuiDescriptionList
        compressed
        type="column"
        columnWidths={[1, 3]}
        data-test-subj="attribution-request"
        listItems={[
          {
            title: a.source_ips.length > 1 ? 'Source IPs' : 'Source IP',
            description: a.source_ips.length > 0 ? <code>{a.source_ips.join(', ')}</code> : '—',
          },
          {
            title: 'Client',
            description: client ? (
              <span title={a.user_agent ?? undefined}>
                <code>{client}</code>
                {a.user_agent && a.user_agent !== client && (
                  <EuiText size="xs" color="subdued" component="span" style={{ wordBreak: 'break-all' }}>
                    {' '}
                    {a.user_agent.slice(client.length).trim()}
                  </EuiText>
                )}
              </span>
            ) : (
              '—'
            ),
          },
          {
            title: 'Request time',
            description: (
              <span>
                {formatTime(a.request_received_at)}
                {matched && (
                  <EuiText size="xs" color="subdued" component="span">
                    {' '}
                    · {describeOffset(matched.distance_ms)}
                  </EuiText>
                )}
              </span>
            ),
          },
          {
            title: 'Request',
            description: (
              <span>
                <code>{request || '—'}</code>
                {target ? ` on ${target}` : ''}
                {matched && matched.command.length > 0 ? (
                  <>
                    {' '}
                    running <code>{matched.command.join(' ')}</code>
                  </>
                ) : null}
                {a.request_status === 'pending' && (
                  <EuiText size="xs" color="warning" component="span">
                    {' '}
                    · no response recorded yet
                  </EuiText>
                )}
              </span>
            ),
          },
          {
            title: 'RBAC decision',
            description: (
              <span data-test-subj="attribution-decision">
                {a.decision ? <EuiBadge color={a.decision === 'allow' ? 'success' : 'danger'}>{a.decision}</EuiBadge> : '—'}
                {a.decision_reason && (
                  <EuiText size="xs" component="span">
                    {' '}
                    {a.decision_reason}
                  </EuiText>
                )}
              </span>
            ),
          },
        ]}
      />
    </>
  );
}

const candidateColumns: Array<EuiBasicTableColumn<AttributionCandidateView>> = [
  {
    field: 'username',
    name: 'Kubernetes user',
    render: (_: unknown, c: AttributionCandidateView) => (
      <span style={{ wordBreak: 'break-all' }}>
        <strong>{c.username ?? 'unnamed'}</strong>
        {c.impersonated_user?.username ? ` as ${c.impersonated_user.username}` : ''}
      </span>
    ),
  },
  { field: 'source_ips', name: 'Source IP', render: (_: unknown, c: AttributionCandidateView) => <code>{c.source_ips.join(', ') || '—'}</code> },
  {
    field: 'user_agent',
    name: 'Client',
    render: (_: unknown, c: AttributionCandidateView) => <span title={c.user_agent ?? undefined}>{clientName(c.user_agent) ?? '—'}</span>,
  },
  {
    field: 'distance_ms',
    name: 'Offset to session start',
    width: '150px',
    render: (_: unknown, c: AttributionCandidateView) => <span title={`${formatTime(c.request_received_at)}, ${describeOffset(c.distance_ms)}`}>{formatOffset(c.distance_ms)}</span>,
  },
];

/** Several requests fit: all of them, nearest first, none picked. */
function AmbiguousCandidates({ attribution: a }: { attribution: AttributionView }) {
  const total = candidateCount(a);
  return (
    <>
      <EuiText size="s">
        <p>
          <strong>{verdictSentence(a)}.</strong>
        </p>
      </EuiText>
      <EuiSpacer size="s" />
      <EuiBasicTable<AttributionCandidateView>
        tableCaption="Requests that fit this session"
        items={a.candidates}
        itemId="audit_id"
        columns={candidateColumns}
        compressed
        tableLayout="auto"
        rowProps={(c: AttributionCandidateView) => ({ 'data-test-subj': 'attribution-candidate', 'data-audit-id': c.audit_id })}
        data-test-subj="attribution-candidates"
      />
      {total > a.candidates.length && (
        <EuiText size="xs" color="subdued">
          <p>
            The {a.candidates.length} nearest of {total} shown.
          </p>
        </EuiText>
      )}
    </>
  );
}

/** Reasons whose server detail says more than the sentence (what the audit log holds for the pod). */
const DETAILED_REASONS: ReadonlySet<AttributionView['reason']> = new Set(['no_audit_events_for_pod', 'no_matching_request', 'refused_only', null]);

/** No answer: why, in plain words, and the server's account of what it looked at. */
function NoMatch({ attribution: a }: { attribution: AttributionView }) {
  const sentence = verdictSentence(a);
  const detail = a.detail && a.detail !== sentence && DETAILED_REASONS.has(a.reason) ? a.detail : null;
  return (
    <EuiText size="s" data-test-subj="attribution-reason">
      <p style={{ marginBottom: detail ? 4 : 0 }}>
        <strong>{sentence}</strong>
      </p>
      {detail && (
        <EuiText size="xs" color="subdued">
          <p>In the audit log: {detail}.</p>
        </EuiText>
      )}
    </EuiText>
  );
}

function RefusedRequests({ attribution: a }: { attribution: AttributionView }) {
  return (
    <div data-test-subj="attribution-refused">
      <EuiSpacer size="s" />
      <Caption tip="Exec requests to this pod at the session start that the apiserver refused: someone tried and was not allowed.">Refused requests</Caption>
      {a.refused.map((c) => (
        <EuiText size="s" color="danger" key={`${c.audit_id}-${c.request_received_at}`} data-test-subj="attribution-refused-request">
          <span>
            {refusedLine(c)}
            {c.decision_reason && (
              <EuiText size="xs" color="subdued" component="span">
                {' '}
                · {c.decision_reason}
              </EuiText>
            )}
          </span>
        </EuiText>
      ))}
      {a.refused_total > a.refused.length && (
        <EuiText size="xs" color="subdued">
          <span>and {a.refused_total - a.refused.length} more</span>
        </EuiText>
      )}
    </div>
  );
}

/** The Linux user inside the container, set apart so nobody reads it as the Kubernetes identity. */
function ContainerUser({ entity, onFilter }: { entity: AlertEntity; onFilter: Props['onFilter'] }) {
  const name = entity.user_name ?? (entity.user_id === '0' ? 'root' : null);
  return (
    <>
      <Caption tip="The user the shell ran as inside the container (Defend for Containers). It says nothing about who ran kubectl exec: most images run as root whoever comes in.">
        Linux user in the container
      </Caption>
      <EuiFlexGroup gutterSize="xs" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <span data-test-subj="container-user" style={{ fontSize: 16, fontWeight: 600 }}>
            {name ?? (entity.user_id !== null ? `id ${entity.user_id}` : '—')}
          </span>
        </EuiFlexItem>
        {entity.user_id !== null && (
          <EuiFlexItem grow={false}>
            <FilterButton field="user.id" value={entity.user_id} label={`Filter alerts by Linux user id ${entity.user_id}`} onFilter={onFilter} />
          </EuiFlexItem>
        )}
      </EuiFlexGroup>
      {name !== null && entity.user_id !== null && (
        <EuiText size="xs" color="subdued">
          <span>uid {entity.user_id}</span>
        </EuiText>
      )}
    </>
  );
}

/**
 * "Who ran the exec": the Kubernetes identity from the kube-apiserver audit log beside the Linux user the
 * process ran as, with the verdict of the join (attributed, ambiguous, none, not yet).
 */
export function AttributionPanel({ attribution: a, entity, onFilter }: Props) {
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="attribution-panel" data-attribution-match={a.match}>
      <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiIconTip type="logoKubernetes" size="m" content="From the kube-apiserver audit log, joined with this session by pod, command and time" aria-label="Kubernetes audit log" />
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiTitle size="xs">
            <h3>Who ran the exec</h3>
          </EuiTitle>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiToolTip content={verdictExplanations[a.match]}>
            <EuiBadge color={verdictColors[a.match]} data-test-subj="attribution-match" data-match={a.match} tabIndex={0}>
              {verdictLabels[a.match]}
            </EuiBadge>
          </EuiToolTip>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="m" />
      <EuiFlexGroup gutterSize="l" responsive={false} alignItems="flexStart">
        <EuiFlexItem grow={3} style={{ minWidth: 0 }}>
          {a.match === 'exact' ? <ExactIdentity attribution={a} onFilter={onFilter} /> : a.match === 'ambiguous' ? <AmbiguousCandidates attribution={a} /> : <NoMatch attribution={a} />}
          {a.refused.length > 0 && <RefusedRequests attribution={a} />}
        </EuiFlexItem>
        <EuiFlexItem grow={1} style={{ borderLeft: '1px solid #E3E8F2', paddingLeft: 16, minWidth: 170 }}>
          <ContainerUser entity={entity} onFilter={onFilter} />
        </EuiFlexItem>
      </EuiFlexGroup>
    </EuiPanel>
  );
}
