import { EuiButtonIcon, EuiTextColor, EuiToolTip } from '@elastic/eui';
import type { AttributionMatch, AttributionView } from '@execwatch/api';
import { requestedByCell, verdictLabels } from '../attribution-text';

interface Props {
  attribution: AttributionView;
  /** Filters the list to this Kubernetes user (exact matches). */
  onFilterUser?: (username: string) => void;
  /** Filters the list to this verdict (everything but exact matches). */
  onFilterVerdict?: (match: AttributionMatch) => void;
}

/**
 * The alerts table's "Requested by" cell: the Kubernetes user of an exact match, otherwise the verdict in
 * lower case so it never reads as a username; the server's detail in the tooltip; a filter button.
 */
export function RequestedByCell({ attribution, onFilterUser, onFilterVerdict }: Props) {
  const { text, tooltip } = requestedByCell(attribution);
  const username = attribution.match === 'exact' ? attribution.user?.username : undefined;
  const filter = username
    ? onFilterUser && { label: `Filter alerts requested by ${username}`, run: () => onFilterUser(username) }
    : onFilterVerdict && { label: `Filter alerts by verdict: ${verdictLabels[attribution.match].toLowerCase()}`, run: () => onFilterVerdict(attribution.match) };
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 2 }} data-test-subj="requested-by" data-attribution-match={attribution.match}>
      <span title={tooltip} style={{ fontSize: 12, wordBreak: 'break-all' }}>
        {username ? text : <EuiTextColor color="subdued">{text}</EuiTextColor>}
      </span>
      {filter && (
        <EuiToolTip content={filter.label} disableScreenReaderOutput>
          <EuiButtonIcon iconType="filter" size="xs" color="text" aria-label={filter.label} onClick={filter.run} data-test-subj="requested-by-filter" />
        </EuiToolTip>
      )}
    </span>
  );
}
