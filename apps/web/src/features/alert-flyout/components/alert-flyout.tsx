import { useState } from 'react';
import {
  EuiBadge,
  EuiButtonEmpty,
  EuiButtonIcon,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFlyout,
  EuiFlyoutBody,
  EuiFlyoutFooter,
  EuiFlyoutHeader,
  EuiSkeletonText,
  EuiSpacer,
  EuiTab,
  EuiTabs,
  EuiText,
  EuiTitle,
  EuiToolTip,
} from '@elastic/eui';
import { useToast } from '../../../app/toasts';
import type { FlyoutNavigation } from '../../alerts/alert-navigation';
import { QueryError } from '../../../components/query-error';
import { SeverityBadge } from '../../../components/severity-badge';
import { formatTime } from '../../../lib/format';
import { AttackPanel } from '../../attack/components/attack-panel';
import { ChecklistPanel } from '../../checklist/components/checklist-panel';
import { AddExceptionButton } from '../../exceptions/components/add-exception-button';
import { RelatedEventsFlyout } from '../../related-events/components/related-events-flyout';
import { useRuleQuery } from '../../rules/api/use-rule-query';
import { SessionView } from '../../session/components/session-view';
import { SessionRiskBadge } from '../../session-risk/components/session-risk-badge';
import { WhatHappened } from '../../session-risk/components/what-happened';
import { useAlertQuery } from '../api/use-alert-query';
import { FieldsTable, JsonView } from './document-tabs';
import { NotesPanel } from './notes-panel';
import { OverviewTab } from './overview-tab';
import { StatusControl } from './status-control';

type TabId = 'overview' | 'checklist' | 'session' | 'attack' | 'notes' | 'table' | 'json';

interface Props {
  alertId: string;
  onClose: () => void;
  /** "Filter alerts by this value": adds an exact field filter to the page and closes the flyout. */
  onFilter: (field: string, value: string) => void;
  /** Previous/next alert of the table; null where the flyout is not opened from it. */
  navigation?: FlyoutNavigation | null;
  /** Changes when the keyboard's `c` asks to close this alert: the close dialog opens. */
  closeRequest?: number;
}

/** Previous/next alert: a tooltip says the key, or why the button is disabled. */
function StepButton({ direction, disabled, hint, onStep }: { direction: 'previous' | 'next'; disabled: string | null; hint: string | null; onStep: () => void }) {
  const label = direction === 'next' ? 'Next alert' : 'Previous alert';
  const key = direction === 'next' ? 'j' : 'k';
  const button = (
    <EuiButtonIcon
      iconType={direction === 'next' ? 'chevronSingleDown' : 'chevronSingleUp'}
      display="base"
      size="s"
      aria-label={label}
      isDisabled={disabled !== null}
      onClick={onStep}
      data-test-subj={`alert-flyout-${direction}`}
    />
  );
  return (
    <EuiToolTip content={disabled ?? `${label} (${key})${hint ? `, ${hint}` : ''}`} disableScreenReaderOutput={disabled === null}>
      {disabled === null ? (
        button
      ) : (
        // A disabled button takes neither focus nor the pointer: its wrapper carries the reason.
        <span tabIndex={0} data-test-subj={`alert-flyout-${direction}-disabled`}>
          {button}
        </span>
      )}
    </EuiToolTip>
  );
}

/** Copies the link to the open alert (the page's address, which names it) and says so. */
function CopyLinkButton() {
  const toast = useToast();
  const copy = async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      toast({ title: 'Link to the alert copied', text: url });
    } catch {
      toast({ title: 'The browser did not allow copying; the link is', text: url, color: 'warning' });
    }
  };
  return (
    <EuiToolTip content="Copy link to this alert" disableScreenReaderOutput>
      <EuiButtonIcon iconType="link" display="base" size="s" aria-label="Copy link to this alert" onClick={() => void copy()} data-test-subj="alert-flyout-copy-link" />
    </EuiToolTip>
  );
}

/** The alert flyout: overview, checklist, session, ATT&CK, notes, all fields and JSON. */
export default function AlertFlyout({ alertId, onClose, onFilter, navigation = null, closeRequest }: Props) {
  const alert = useAlertQuery(alertId);
  const rule = useRuleQuery(alert.data?.rule.rule_id);
  const [tab, setTab] = useState<TabId>('overview');
  const [related, setRelated] = useState<{ field: string; value: string } | null>(null);

  const checklist = alert.data?.checklist;
  const tabs: Array<{ id: TabId; name: string; badge?: string }> = [
    { id: 'overview', name: 'Overview' },
    { id: 'checklist', name: 'Investigation', badge: checklist && checklist.total > 0 ? `${checklist.done}/${checklist.total}` : undefined },
    { id: 'session', name: 'Session' },
    { id: 'attack', name: 'ATT&CK' },
    { id: 'notes', name: 'Notes', badge: alert.data && alert.data.notes_count > 0 ? String(alert.data.notes_count) : undefined },
    { id: 'table', name: 'Table' },
    { id: 'json', name: 'JSON' },
  ];

  // Related events span the alert's day around its event time.
  const eventTime = alert.data?.original_time ?? alert.data?.['@timestamp'];
  const relatedFrom = eventTime ? new Date(Date.parse(eventTime) - 12 * 3600_000).toISOString() : 'now-24h';
  const relatedTo = eventTime ? new Date(Date.parse(eventTime) + 12 * 3600_000).toISOString() : 'now';

  return (
    <EuiFlyout onClose={onClose} size="l" ownFocus={false} aria-labelledby="alert-flyout-title" data-test-subj="alert-flyout" maxWidth={1000}>
      <EuiFlyoutHeader hasBorder>
        <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false} style={{ paddingRight: 32 }}>
          <EuiFlexItem>
            <EuiTitle size="s">
              <h2 id="alert-flyout-title">{alert.data?.rule.name ?? 'Alert details'}</h2>
            </EuiTitle>
          </EuiFlexItem>
          {navigation && (
            <>
              <EuiFlexItem grow={false}>
                <StepButton direction="previous" disabled={navigation.previousDisabled} hint={navigation.previousHint} onStep={() => navigation.onStep('previous')} />
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <StepButton direction="next" disabled={navigation.nextDisabled} hint={navigation.nextHint} onStep={() => navigation.onStep('next')} />
              </EuiFlexItem>
            </>
          )}
          <EuiFlexItem grow={false}>
            <CopyLinkButton />
          </EuiFlexItem>
        </EuiFlexGroup>
        <EuiSpacer size="s" />
        {alert.data && (
          <EuiFlexGroup gutterSize="m" alignItems="center" responsive={false} wrap>
            <EuiFlexItem grow={false}>
              <StatusControl alert={alert.data} onRequiredStepsMissing={() => setTab('checklist')} closeRequest={closeRequest} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <SeverityBadge severity={alert.data.severity} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <EuiBadge color="hollow" title="The rule's own risk score: the same for every alert of the rule">
                Risk {alert.data.risk_score}
              </EuiBadge>
            </EuiFlexItem>
            <EuiFlexItem grow={false} data-test-subj="alert-flyout-session-risk">
              <SessionRiskBadge session={alert.data.session} prefix="Session risk" />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <EuiText size="xs" color="subdued">
                {formatTime(alert.data['@timestamp'])}
              </EuiText>
            </EuiFlexItem>
          </EuiFlexGroup>
        )}
        <EuiSpacer size="s" />
        <EuiTabs size="s" bottomBorder={false} style={{ marginBottom: -17 }}>
          {tabs.map((t) => (
            <EuiTab
              key={t.id}
              isSelected={tab === t.id}
              onClick={() => setTab(t.id)}
              append={t.badge ? <EuiBadge color="hollow">{t.badge}</EuiBadge> : undefined}
              data-test-subj={`alert-flyout-tab-${t.id}`}
            >
              {t.name}
            </EuiTab>
          ))}
        </EuiTabs>
      </EuiFlyoutHeader>
      <EuiFlyoutBody>
        {alert.isPending ? (
          <EuiSkeletonText lines={8} />
        ) : alert.isError ? (
          <QueryError error={alert.error} title="This alert could not be loaded" onRetry={() => void alert.refetch()} />
        ) : (
          <>
            {tab === 'overview' && <OverviewTab alert={alert.data} onFilter={onFilter} onShowSession={() => setTab('session')} />}
            {tab === 'checklist' && (
              <ChecklistPanel
                alertId={alertId}
                attribution={alert.data.attribution}
                onFilter={onFilter}
                onShowRelated={(field, value) => setRelated({ field, value })}
              />
            )}
            {tab === 'session' && (
              <>
                <WhatHappened session={alert.data.session} />
                <EuiSpacer size="m" />
                <SessionView alertId={alertId} risk={alert.data.session} />
              </>
            )}
            {tab === 'attack' &&
              (rule.data ? <AttackPanel threat={rule.data.threat} /> : rule.isError ? <QueryError error={rule.error} title="The rule could not be loaded" /> : <EuiSkeletonText lines={4} />)}
            {tab === 'notes' && <NotesPanel alertId={alertId} />}
            {tab === 'table' && <FieldsTable document={alert.data.document} />}
            {tab === 'json' && <JsonView document={alert.data.document} />}
          </>
        )}
      </EuiFlyoutBody>
      <EuiFlyoutFooter>
        <EuiFlexGroup justifyContent="spaceBetween" responsive={false}>
          <EuiFlexItem grow={false}>
            <EuiButtonEmpty iconType="cross" onClick={onClose} flush="left" data-test-subj="alert-flyout-close">
              Close
            </EuiButtonEmpty>
          </EuiFlexItem>
          {alert.data && (
            <EuiFlexItem grow={false}>
              <AddExceptionButton ruleId={alert.data.rule.rule_id} alertId={alertId} display="empty" />
            </EuiFlexItem>
          )}
        </EuiFlexGroup>
      </EuiFlyoutFooter>
      {related && (
        <RelatedEventsFlyout field={related.field} value={related.value} from={relatedFrom} to={relatedTo} onClose={() => setRelated(null)} />
      )}
    </EuiFlyout>
  );
}
