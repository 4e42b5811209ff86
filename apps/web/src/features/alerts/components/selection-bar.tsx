import { EuiButtonEmpty, EuiFlexGroup, EuiFlexItem, EuiText } from '@elastic/eui';
import { formatCount } from '../../../lib/format';

interface Props {
  selectedCount: number;
  pageCount: number;
  total: number;
  allMatching: boolean;
  onSelectAllMatching: () => void;
  onClear: () => void;
}

/** Shows what is selected and offers "select all N matching", as Kibana's alerts table. */
export function SelectionBar({ selectedCount, pageCount, total, allMatching, onSelectAllMatching, onClear }: Props) {
  if (selectedCount === 0 && !allMatching) {
    return (
      <EuiText size="xs" color="subdued" data-test-subj="alerts-count">
        Showing {formatCount(total)} alert{total === 1 ? '' : 's'}
      </EuiText>
    );
  }
  return (
    <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false} data-test-subj="selection-bar">
      <EuiFlexItem grow={false}>
        <EuiText size="xs">
          <strong data-test-subj="selected-count">
            {allMatching ? `All ${formatCount(total)} matching alerts selected` : `${formatCount(selectedCount)} selected`}
          </strong>
        </EuiText>
      </EuiFlexItem>
      {!allMatching && selectedCount >= pageCount && total > selectedCount && (
        <EuiFlexItem grow={false}>
          <EuiButtonEmpty size="xs" onClick={onSelectAllMatching} data-test-subj="select-all-matching">
            Select all {formatCount(total)} matching alerts
          </EuiButtonEmpty>
        </EuiFlexItem>
      )}
      <EuiFlexItem grow={false}>
        <EuiButtonEmpty size="xs" onClick={onClear} data-test-subj="clear-selection">
          Clear selection
        </EuiButtonEmpty>
      </EuiFlexItem>
    </EuiFlexGroup>
  );
}
