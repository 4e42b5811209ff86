import { EuiFlyout, EuiFlyoutBody, EuiFlyoutHeader, EuiSkeletonText, EuiText, EuiTitle } from '@elastic/eui';
import { QueryError } from '../../../components/query-error';
import { useSourceAlertQuery } from '../api/use-source-alert-query';
import { useRuleQuery } from '../../rules/api/use-rule-query';
import { useExceptionItemQuery } from '../api/use-exception-item-query';
import { useExceptionSettingsQuery } from '../api/use-exception-settings-query';
import { ExceptionEditor } from './exception-editor';

export interface ExceptionFlyoutProps {
  /** The rule whose default list gets the item (and whose events the preview searches). */
  ruleId: string;
  /** Pre-fills the conditions from this alert. */
  alertId?: string;
  /** Edits this existing item instead of adding one. */
  itemId?: string;
  onClose: () => void;
}

/** "Add exception" / "Edit exception": loads the rule, alert, item and settings, then shows the editor. */
export default function ExceptionFlyout({ ruleId, alertId, itemId, onClose }: ExceptionFlyoutProps) {
  const rule = useRuleQuery(ruleId);
  const alert = useSourceAlertQuery(alertId);
  const item = useExceptionItemQuery(itemId);
  const settings = useExceptionSettingsQuery();
  const queries = [rule, settings, ...(alertId !== undefined ? [alert] : []), ...(itemId !== undefined ? [item] : [])];
  const failed = queries.find((q) => q.isError);
  const ready = rule.data && settings.data && (alertId === undefined || alert.data) && (itemId === undefined || item.data);
  const title = itemId !== undefined ? 'Edit exception' : 'Add rule exception';
  return (
    <EuiFlyout onClose={onClose} size="m" aria-labelledby="exception-flyout-title" data-test-subj="exception-flyout" ownFocus>
      <EuiFlyoutHeader hasBorder>
        <EuiTitle size="s">
          <h2 id="exception-flyout-title">{title}</h2>
        </EuiTitle>
        {rule.data && (
          <EuiText size="xs" color="subdued">
            Rule: {rule.data.name}
          </EuiText>
        )}
      </EuiFlyoutHeader>
      {failed ? (
        <EuiFlyoutBody>
          <QueryError error={failed.error} title="The exception could not be prepared" onRetry={() => void failed.refetch()} />
        </EuiFlyoutBody>
      ) : ready ? (
        <ExceptionEditor rule={rule.data} alert={alert.data} item={item.data} settings={settings.data} onClose={onClose} />
      ) : (
        <EuiFlyoutBody>
          <EuiSkeletonText lines={10} />
        </EuiFlyoutBody>
      )}
    </EuiFlyout>
  );
}
