import { EuiBasicTable, EuiHealth, EuiPageTemplate, EuiSpacer, type EuiBasicTableColumn } from '@elastic/eui';
import { RouterLink } from '../../../components/router-link';
import type { Rule } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { AuditFeedBanner } from '../../attribution/components/audit-feed-banner';
import { AuditFeedPanel } from '../../attribution/components/audit-feed-panel';
import { StoragePanel } from '../../storage/components/storage-panel';
import { SeverityBadge } from '../../../components/severity-badge';
import { formatTime } from '../../../lib/format';
import { useRulesQuery } from '../api/use-rules-query';
import { ExecutionStatusBadge } from './execution-status-badge';

const columns: Array<EuiBasicTableColumn<Rule>> = [
  {
    field: 'name',
    name: 'Rule',
    render: (_: string, rule: Rule) => (
      <RouterLink to={`/rules/${encodeURIComponent(rule.rule_id)}`} testSubj="rule-link">
        {rule.name}
      </RouterLink>
    ),
  },
  { field: 'severity', name: 'Severity', width: '110px', render: (_: string, rule: Rule) => <SeverityBadge severity={rule.severity} /> },
  { field: 'risk_score', name: 'Risk', width: '60px' },
  { field: 'interval', name: 'Runs every', width: '100px' },
  {
    field: 'enabled',
    name: 'Enabled',
    width: '100px',
    render: (enabled: boolean) => <EuiHealth color={enabled ? 'success' : 'subdued'}>{enabled ? 'Enabled' : 'Disabled'}</EuiHealth>,
  },
  {
    name: 'Last run',
    render: (rule: Rule) =>
      rule.last_execution ? (
        <span>
          <ExecutionStatusBadge status={rule.last_execution.status} /> {formatTime(rule.last_execution.started_at)}
        </span>
      ) : (
        'never'
      ),
  },
];

/** All rules with their state and last run. */
export default function RulesPage() {
  const rules = useRulesQuery();
  return (
    <EuiPageTemplate panelled={false} grow>
      <EuiPageTemplate.Header pageTitle="Rules" description="Detection rules and their runs." bottomBorder={false} />
      <EuiPageTemplate.Section paddingSize="m">
        <AuditFeedBanner />
        {rules.isError ? (
          <QueryError error={rules.error} title="Rules could not be loaded" onRetry={() => void rules.refetch()} />
        ) : (
          <EuiBasicTable<Rule>
            tableCaption="Rules"
            items={rules.data?.rules ?? []}
            columns={columns}
            loading={rules.isPending}
            noItemsMessage={rules.isPending ? 'Loading rules…' : 'No rules are loaded.'}
            data-test-subj="rules-table"
          />
        )}
        <EuiSpacer size="l" />
        <AuditFeedPanel />
        <EuiSpacer size="l" />
        <StoragePanel />
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
}
