import { EuiBadge, EuiFlexGroup, EuiFlexItem, EuiIconTip, EuiText } from '@elastic/eui';
import type { AttributionView } from '@execwatch/api';
import { responsibleIdentityAnswer, verdictColors, verdictExplanations, verdictLabels } from '../attribution-text';

/** The audit log's answer to "which user or service account ran the exec", for the checklist step that asks. */
export function IdentityAnswer({ attribution }: { attribution: AttributionView }) {
  return (
    <EuiFlexGroup gutterSize="xs" alignItems="center" responsive={false} data-test-subj="checklist-step-answer" data-attribution-match={attribution.match}>
      <EuiFlexItem grow={false}>
        <EuiIconTip type="logoKubernetes" size="s" content="Answered from the kube-apiserver audit log (see “Who ran the exec” in the overview)" aria-label="From the Kubernetes audit log" />
      </EuiFlexItem>
      <EuiFlexItem grow={false}>
        <EuiBadge color={verdictColors[attribution.match]} title={verdictExplanations[attribution.match]}>
          {verdictLabels[attribution.match]}
        </EuiBadge>
      </EuiFlexItem>
      <EuiFlexItem style={{ minWidth: 0 }}>
        <EuiText size="xs">
          <strong style={{ wordBreak: 'break-word' }}>{responsibleIdentityAnswer(attribution)}</strong>
        </EuiText>
      </EuiFlexItem>
    </EuiFlexGroup>
  );
}
