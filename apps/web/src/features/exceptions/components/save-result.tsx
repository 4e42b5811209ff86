import { useState } from 'react';
import { EuiButton, EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiFlyoutBody, EuiFlyoutFooter, EuiSpacer, EuiText } from '@elastic/eui';
import type { CloseByException, CloseByExceptionResponse, ExceptionListItem } from '@execwatch/api';
import { RouterLink } from '../../../components/router-link';
import { errorMessage } from '../../../lib/http';
import { useCloseMatchingAlertsMutation } from '../api/use-close-matching-alerts-mutation';

export interface SaveOutcome {
  item: ExceptionListItem;
  warnings: string[];
  /** The server's answer to closing the matching alerts, when that was asked. */
  closed: CloseByExceptionResponse | null;
  /** Why closing the matching alerts failed, when it did. */
  closeError?: string | null;
  /** The close that was asked, to ask again with the high-risk sessions confirmed. */
  closeRequest?: CloseByException | null;
  isNew: boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What saving did: the item, the server's warnings, how many alerts were closed and what was left open, and why. */
export function SaveResult({ outcome, onClose }: { outcome: SaveOutcome; onClose: () => void }) {
  const { item, warnings, closeError, closeRequest, isNew } = outcome;
  const [closed, setClosed] = useState(outcome.closed);
  const [confirmed, setConfirmed] = useState<CloseByExceptionResponse | null>(null);
  const closeAgain = useCloseMatchingAlertsMutation();
  const highRisk = closed?.skipped.find((s) => s.reason === 'high_risk');
  const nothingClosed = closed !== null && closed.closed === 0;
  const confirmHighRisk = async () => {
    if (!closeRequest) return;
    // asked again, the server closes what matches now, the high-risk sessions included (the rest is closed by now)
    const answer = await closeAgain.mutateAsync({ ...closeRequest, confirm_high_risk: true });
    setConfirmed(answer);
    setClosed({ ...answer, closed: (closed?.closed ?? 0) + answer.closed, skipped: answer.skipped.filter((s) => s.reason !== 'already_closed') });
  };
  return (
    <>
      <EuiFlyoutBody>
        <EuiCallOut color="success" iconType="check" title={isNew ? `Exception "${item.name}" added` : `Exception "${item.name}" saved`} data-test-subj="exception-save-result">
          <p>
            New alerts matching it are suppressed from the next rule run{item.expire_time ? ' until it expires' : ''}.
          </p>
        </EuiCallOut>
        {closed && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut
              color={nothingClosed ? 'warning' : 'success'}
              iconType={nothingClosed ? 'warning' : 'check'}
              size="s"
              title={nothingClosed ? 'No alert was closed' : `${plural(closed.closed, 'alert', 'alerts')} closed: matched an exception`}
              data-test-subj="exception-closed-count"
            >
              <p>
                {plural(closed.closed, 'alert', 'alerts')} closed of {plural(closed.matched, 'matching alert', 'matching alerts')}.
                {closed.skipped.reduce((n, s) => n + s.count, 0) > 0 && ` ${plural(closed.skipped.reduce((n, s) => n + s.count, 0), 'alert was', 'alerts were')} left as they were:`}
              </p>
              {closed.skipped.length > 0 && (
                <ul data-test-subj="exception-close-skipped">
                  {closed.skipped.map((s) => (
                    <li key={s.reason} data-test-subj={`exception-close-skipped-${s.reason}`}>
                      {s.message}
                    </li>
                  ))}
                </ul>
              )}
              {highRisk && closeRequest && (
                <EuiButton size="s" color="danger" onClick={() => void confirmHighRisk().catch(() => undefined)} isLoading={closeAgain.isPending} data-test-subj="exception-close-high-risk">
                  Close the {plural(highRisk.count, 'high-risk session', 'high-risk sessions')} too
                </EuiButton>
              )}
              {closeAgain.error && <p data-test-subj="exception-close-high-risk-error">{errorMessage(closeAgain.error)}</p>}
              {confirmed && <p data-test-subj="exception-close-high-risk-done">{plural(confirmed.closed, 'high-risk session', 'high-risk sessions')} closed as well.</p>}
            </EuiCallOut>
          </>
        )}
        {closeError && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="warning" iconType="warning" title="The matching alerts were not closed" data-test-subj="exception-close-refused">
              <p>{closeError}</p>
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
