import { EuiButton, EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiFlyoutBody, EuiFlyoutFooter, EuiSpacer, EuiText } from '@elastic/eui';
import type { BulkUpdateAlertsResponse, ExceptionListItem } from '@execwatch/api';
import { RouterLink } from '../../../components/router-link';

export interface SaveOutcome {
  item: ExceptionListItem;
  warnings: string[];
  /** The bulk close's answer, when alerts were closed. */
  closed: BulkUpdateAlertsResponse | null;
  /** Why closing the matching alerts was refused (e.g. high-risk sessions among them), when it was. */
  closeError?: string | null;
  isNew: boolean;
}

/** What saving did: the item, the server's warnings, and how many alerts were closed or skipped. */
export function SaveResult({ outcome, onClose }: { outcome: SaveOutcome; onClose: () => void }) {
  const { item, warnings, closed, closeError, isNew } = outcome;
  return (
    <>
      <EuiFlyoutBody>
        <EuiCallOut color="success" iconType="check" title={isNew ? `Exception "${item.name}" added` : `Exception "${item.name}" saved`} data-test-subj="exception-save-result">
          {closed && (
            <p data-test-subj="exception-closed-count">
              {closed.updated} alert(s) closed as false positive.
              {closed.skipped > 0 && ` ${closed.skipped} alert(s) were skipped: their rule's required checklist steps are not done yet.`}
              {closed.errors.length > 0 && ` ${closed.errors.length} could not be closed: ${closed.errors[0].message}`}
            </p>
          )}
          <p>
            New alerts matching it are suppressed from the next rule run{item.expire_time ? ' until it expires' : ''}.
          </p>
        </EuiCallOut>
        {closeError && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="warning" iconType="warning" title="The matching alerts were not closed" data-test-subj="exception-close-refused">
              <p>{closeError}</p>
              <p>Close them from the alerts page, where closing high-risk sessions asks for a confirmation and a comment.</p>
            </EuiCallOut>
          </>
        )}
        {warnings.length > 0 && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="warning" iconType="warning" title="The server saved it with warnings" data-test-subj="exception-warnings">
              <ul>
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </EuiCallOut>
          </>
        )}
        <EuiSpacer size="m" />
        <EuiText size="s">
          <RouterLink to="/exceptions">See all exceptions</RouterLink>
        </EuiText>
      </EuiFlyoutBody>
      <EuiFlyoutFooter>
        <EuiFlexGroup justifyContent="flexEnd" responsive={false}>
          <EuiFlexItem grow={false}>
            <EuiButton onClick={onClose} data-test-subj="exception-done">
              Done
            </EuiButton>
          </EuiFlexItem>
        </EuiFlexGroup>
      </EuiFlyoutFooter>
    </>
  );
}
