import { useState } from 'react';
import { EuiCallOut, EuiSpacer } from '@elastic/eui';
import { useAuditFeedHealthQuery } from '../api/use-audit-feed-health-query';
import { bannerWarnings, warningSentence, warningsKey } from '../audit-feed-health';

const DISMISSED_KEY = 'execwatch.auditFeedBanner.dismissed';

function readDismissed(): string | null {
  try {
    return window.sessionStorage.getItem(DISMISSED_KEY);
  } catch {
    return null;
  }
}

/**
 * Warns when the kube-apiserver audit feed cannot say who ran the execs (no audit events from a cluster that
 * raises alerts, a policy that records only `create`, audit events that name no cluster). Dismissed for this
 * browser session; a different warning brings it back.
 */
export function AuditFeedBanner() {
  const health = useAuditFeedHealthQuery();
  const [dismissed, setDismissed] = useState(readDismissed);
  const warnings = bannerWarnings(health.data, dismissed);
  if (warnings.length === 0) return null;
  const dismiss = () => {
    const key = warningsKey(warnings);
    setDismissed(key);
    try {
      window.sessionStorage.setItem(DISMISSED_KEY, key);
    } catch {
      // Without storage the banner stays dismissed until the page is reloaded.
    }
  };
  return (
    <>
      <EuiCallOut
        color="warning"
        iconType="logoKubernetes"
        size="s"
        title="Who ran the exec: the Kubernetes audit feed needs attention"
        onDismiss={dismiss}
        data-test-subj="audit-feed-banner"
      >
        <ul>
          {warnings.map((w) => (
            <li key={w} data-test-subj="audit-feed-warning">
              {warningSentence(w)}
            </li>
          ))}
        </ul>
      </EuiCallOut>
      <EuiSpacer size="s" />
    </>
  );
}
