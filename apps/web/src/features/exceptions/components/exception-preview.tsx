import { EuiBasicTable, EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiLoadingSpinner, EuiPanel, EuiSpacer, EuiStat, EuiText, EuiTitle } from '@elastic/eui';
import type { PreviewExceptionResponse } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { formatTime } from '../../../lib/format';
import { documentValues } from '../exception-conditions';

type Sample = PreviewExceptionResponse['all_alerts']['sample'][number];

const first = (doc: Record<string, unknown>, field: string) => documentValues(doc, field)[0] ?? '—';

const sampleColumns = [
  { name: 'Time', width: '170px', render: (s: Sample) => formatTime(first(s.document, '@timestamp')) },
  { name: 'Kubernetes user', render: (s: Sample) => first(s.document, 'kubernetes.audit.user.username') },
  { name: 'Linux user', render: (s: Sample) => first(s.document, 'user.name') },
  { name: 'Namespace', render: (s: Sample) => first(s.document, 'orchestrator.namespace') },
  { name: 'Image', render: (s: Sample) => <code style={{ fontSize: 12 }}>{first(s.document, 'container.image.name')}</code> },
  { name: 'Process', render: (s: Sample) => first(s.document, 'process.name') },
];

interface Props {
  preview: PreviewExceptionResponse | undefined;
  isFetching: boolean;
  error: unknown;
  incomplete: boolean;
  /** The conditions name fields only alerts hold (who ran the exec): events cannot match them. */
  alertsOnly?: boolean;
}

/** What the exception would have matched: open alerts, all alerts, events of the last 7 days, with a sample. */
export function ExceptionPreview({ preview, isFetching, error, incomplete, alertsOnly = false }: Props) {
  const count = (b: PreviewExceptionResponse['all_alerts'] | undefined) => (b ? `${b.count}${b.capped ? '+' : ''}` : '—');
  const sample = preview ? (preview.all_alerts.sample.length > 0 ? preview.all_alerts.sample : preview.events_7d.sample) : [];
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="exception-preview">
      <EuiFlexGroup alignItems="center" gutterSize="s" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiTitle size="xxs">
            <h3>What this exception would have matched</h3>
          </EuiTitle>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>{isFetching && <EuiLoadingSpinner size="s" />}</EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      {incomplete && !preview ? (
        <EuiText size="s" color="subdued">
          Complete the conditions to see the preview.
        </EuiText>
      ) : error && !preview ? (
        <QueryError error={error} title="The preview could not be computed" />
      ) : (
        <>
          <EuiFlexGroup gutterSize="m" responsive={false}>
            <EuiFlexItem>
              <EuiStat title={count(preview?.open_alerts)} description="Open or acknowledged alerts" titleSize="s" isLoading={!preview} data-test-subj="preview-open-alerts" />
            </EuiFlexItem>
            <EuiFlexItem>
              <EuiStat title={count(preview?.all_alerts)} description="All alerts" titleSize="s" isLoading={!preview} data-test-subj="preview-all-alerts" />
            </EuiFlexItem>
            <EuiFlexItem>
              <EuiStat
                title={alertsOnly ? '—' : count(preview?.events_7d)}
                description={alertsOnly ? 'Events: not used, matched on attributed alerts' : 'Events, last 7 days'}
                titleSize="s"
                isLoading={!preview}
                data-test-subj="preview-events"
              />
            </EuiFlexItem>
          </EuiFlexGroup>
          {preview && preview.warnings.length > 0 && (
            <>
              <EuiSpacer size="s" />
              <EuiCallOut size="s" color="warning" iconType="warning" title="Check these conditions" data-test-subj="preview-warnings">
                <ul>
                  {preview.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </EuiCallOut>
            </>
          )}
          {sample.length > 0 && (
            <>
              <EuiSpacer size="s" />
              <EuiBasicTable<Sample> tableCaption="Sample of matched documents" items={sample.slice(0, 5)} columns={sampleColumns} compressed data-test-subj="preview-sample" />
            </>
          )}
        </>
      )}
    </EuiPanel>
  );
}
