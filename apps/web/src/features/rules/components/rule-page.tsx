import { lazy, Suspense, useState } from 'react';
import {
  EuiBasicTable,
  EuiButton,
  EuiCallOut,
  EuiDescriptionList,
  EuiFieldText,
  EuiFlexGrid,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiLink,
  EuiSkeletonText,
  EuiPageTemplate,
  EuiPanel,
  EuiSpacer,
  EuiSwitch,
  EuiText,
  EuiTitle,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import { useParams } from 'react-router-dom';
import type { Execution } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { SeverityBadge } from '../../../components/severity-badge';
import { errorMessage } from '../../../lib/http';
import { formatTime } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AddExceptionButton } from '../../exceptions/components/add-exception-button';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useRuleExecutionsQuery } from '../api/use-rule-executions-query';
import { useRuleQuery } from '../api/use-rule-query';
import { useRunRuleMutation } from '../api/use-run-rule-mutation';
import { useUpdateRuleMutation } from '../api/use-update-rule-mutation';
import { ExecutionStatusBadge } from './execution-status-badge';

const executionColumns: Array<EuiBasicTableColumn<Execution>> = [
  { field: 'started_at', name: 'Started', width: '170px', render: (v: string) => formatTime(v) },
  { field: 'status', name: 'Status', width: '100px', render: (_: string, e: Execution) => <ExecutionStatusBadge status={e.status} /> },
  { field: 'trigger', name: 'Trigger', width: '90px' },
  { field: 'duration_ms', name: 'Duration', width: '90px', render: (v: number | null) => (v === null ? '—' : `${v} ms`) },
  { field: 'events_matched', name: 'Matched', width: '80px' },
  { field: 'alerts_created', name: 'Created', width: '80px', render: (v: number, e: Execution) => `${v}${e.max_signals_reached ? ' (cap)' : ''}` },
  { field: 'suppressed', name: 'Suppressed', width: '90px' },
  {
    name: 'Gaps / errors',
    render: (e: Execution) => (
      <EuiText size="xs">
        {e.gaps.map((g) => (
          <div key={`${g.from}${g.to}`}>
            gap {formatTime(g.from)} → {formatTime(g.to)}
          </div>
        ))}
        {e.error && <div style={{ color: '#BD271E' }}>{e.error}</div>}
        {e.warnings.map((w) => (
          <div key={w}>{w}</div>
        ))}
        {e.gaps.length === 0 && !e.error && e.warnings.length === 0 && '—'}
      </EuiText>
    ),
  },
];

// The Markdown renderer is only needed here: it loads with the guide, not with the app.
const GuideMarkdown = lazy(() => import('./guide-markdown'));

/** One rule: definition, guide, enable/disable, run now, recent executions. */
export default function RulePage() {
  const { ruleId = '' } = useParams();
  const rule = useRuleQuery(ruleId);
  const executions = useRuleExecutionsQuery(ruleId, { refetchInterval: 30_000 });
  const update = useUpdateRuleMutation(ruleId);
  const run = useRunRuleMutation(ruleId);
  const write = useAbility('rules:write');
  const toast = useToast();
  const [runFrom, setRunFrom] = useState('');

  if (rule.isPending) {
    return (
      <EuiPageTemplate.Section>
        <EuiSkeletonText lines={10} />
      </EuiPageTemplate.Section>
    );
  }
  if (rule.isError) {
    return (
      <EuiPageTemplate.Section>
        <QueryError error={rule.error} title="The rule could not be loaded" onRetry={() => void rule.refetch()} />
      </EuiPageTemplate.Section>
    );
  }
  const r = rule.data;
  return (
    <EuiPageTemplate panelled={false} grow>
      <EuiPageTemplate.Header
        pageTitle={r.name}
        description={r.description}
        bottomBorder={false}
        rightSideItems={[
          <AddExceptionButton key="exception" ruleId={r.rule_id} display="button" />,
          <AbilityTooltip key="run" reason={write.reason}>
            <EuiButton
              fill
              iconType="play"
              isDisabled={!write.allowed || !r.runnable}
              isLoading={run.isPending}
              onClick={() =>
                run.mutate(runFrom.trim() ? { from: runFrom.trim() } : {}, {
                  onSuccess: (e) => toast({ title: `Run ${e.status}`, text: `${e.events_matched} matched, ${e.alerts_created} alert(s) created` }),
                  onError: (err) => toast({ title: 'The run failed', text: errorMessage(err), color: 'danger' }),
                })
              }
              data-test-subj="rule-run-now"
            >
              Run now
            </EuiButton>
          </AbilityTooltip>,
          <AbilityTooltip key="enable" reason={write.reason}>
            <EuiSwitch
              label={r.enabled ? 'Enabled' : 'Disabled'}
              checked={r.enabled}
              disabled={!write.allowed || update.isPending}
              onChange={(e) => update.mutate({ enabled: e.target.checked }, { onError: (err) => toast({ title: 'Could not change the rule', text: errorMessage(err), color: 'danger' }) })}
              data-test-subj="rule-enabled"
            />
          </AbilityTooltip>,
        ]}
      />
      <EuiPageTemplate.Section paddingSize="m">
        {!r.runnable && <EuiCallOut color="warning" iconType="warning" title={`This rule cannot run here: ${r.not_runnable_reason ?? 'unknown reason'}`} />}
        <EuiFlexGroup>
          <EuiFlexItem grow={2}>
            <EuiPanel hasBorder>
              <EuiTitle size="xs">
                <h2>Definition</h2>
              </EuiTitle>
              <EuiSpacer size="s" />
              <EuiFlexGrid columns={2} gutterSize="s">
                <EuiDescriptionList compressed listItems={[{ title: 'Severity', description: <SeverityBadge severity={r.severity} /> }, { title: 'Risk score', description: String(r.risk_score) }]} />
                <EuiDescriptionList compressed listItems={[{ title: 'Runs every', description: r.interval }, { title: 'Look-back', description: r.from }]} />
                <EuiDescriptionList compressed listItems={[{ title: 'Max alerts per run', description: String(r.max_signals) }, { title: 'Timestamp', description: r.timestamp_override ?? '@timestamp' }]} />
                <EuiDescriptionList compressed listItems={[{ title: 'Index', description: r.index.join(', ') }, { title: 'Language', description: r.language ?? r.type }]} />
              </EuiFlexGrid>
              <EuiSpacer size="s" />
              <EuiPanel color="subdued" paddingSize="s" hasBorder={false}>
                <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap', margin: 0 }} data-test-subj="rule-query">
                  {r.query}
                </pre>
              </EuiPanel>
              <EuiSpacer size="s" />
              <EuiText size="xs">
                <strong>Threat:</strong>{' '}
                {r.threat.flatMap((t) => (t.technique ?? []).map((tech) => (
                  <span key={tech.id}>
                    <EuiLink href={tech.reference} target="_blank" external>
                      {tech.id} {tech.name}
                    </EuiLink>{' '}
                    ({t.tactic.name}){' '}
                  </span>
                )))}
              </EuiText>
              <EuiText size="xs">
                <strong>Required checklist steps:</strong> {r.required_steps.length > 0 ? r.required_steps.join(', ') : 'default (investigation steps)'}
              </EuiText>
            </EuiPanel>
          </EuiFlexItem>
          <EuiFlexItem grow={1}>
            <EuiPanel hasBorder>
              <EuiTitle size="xs">
                <h2>Run now</h2>
              </EuiTitle>
              <EuiFormRow label="From (optional, date math or ISO)" helpText={`Default: the rule's own window (${r.from})`}>
                <EuiFieldText compressed value={runFrom} placeholder="now-1h" onChange={(e) => setRunFrom(e.target.value)} disabled={!write.allowed} data-test-subj="rule-run-from" />
              </EuiFormRow>
              <EuiSpacer size="s" />
              <EuiText size="xs" color="subdued">
                Last run: {r.last_execution ? `${r.last_execution.status} at ${formatTime(r.last_execution.started_at)}` : 'never'}
              </EuiText>
            </EuiPanel>
          </EuiFlexItem>
        </EuiFlexGroup>
        <EuiSpacer />
        <EuiPanel hasBorder>
          <EuiTitle size="xs">
            <h2>Recent executions</h2>
          </EuiTitle>
          <EuiSpacer size="s" />
          {executions.isError ? (
            <QueryError error={executions.error} title="Executions could not be loaded" onRetry={() => void executions.refetch()} />
          ) : (
            <EuiBasicTable<Execution>
              tableCaption="Recent executions"
              items={executions.data?.executions.slice(0, 50) ?? []}
              columns={executionColumns}
              loading={executions.isPending}
              noItemsMessage={executions.isPending ? 'Loading…' : 'The rule has not run yet.'}
              rowProps={() => ({ 'data-test-subj': 'execution-row' })}
              compressed
              data-test-subj="rule-executions"
            />
          )}
        </EuiPanel>
        <EuiSpacer />
        {r.note && (
          <EuiPanel hasBorder>
            <EuiTitle size="xs">
              <h2>Investigation guide</h2>
            </EuiTitle>
            <EuiSpacer size="s" />
            <Suspense fallback={<EuiSkeletonText lines={6} />}>
              <GuideMarkdown markdown={r.note} />
            </Suspense>
          </EuiPanel>
        )}
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
}
