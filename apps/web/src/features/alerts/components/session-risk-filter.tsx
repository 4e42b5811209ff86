import { EuiFilterButton, EuiFilterGroup, EuiToolTip } from '@elastic/eui';
import { HIGH_RISK_THRESHOLD } from '../../session-risk/session-risk-text';

/**
 * "High risk only": sessions whose risk score is at least 50 (`min_session_risk` in the URL). A link naming
 * another minimum shows it, and the toggle clears it.
 */
export function SessionRiskFilter({ value, onChange }: { value: number | null; onChange: (next: number | null) => void }) {
  const label = value === null || value === HIGH_RISK_THRESHOLD ? 'High risk only' : `Session risk ≥ ${value}`;
  return (
    <EuiToolTip content={`Only sessions whose risk score is ${value ?? HIGH_RISK_THRESHOLD} or more (what the session did after the exec)`} disableScreenReaderOutput>
      <EuiFilterGroup compressed>
        <EuiFilterButton
          isToggle
          isSelected={value !== null}
          hasActiveFilters={value !== null}
          iconType={value !== null ? 'check' : undefined}
          onClick={() => onChange(value === null ? HIGH_RISK_THRESHOLD : null)}
          data-test-subj="filter-high-risk"
        >
          {label}
        </EuiFilterButton>
      </EuiFilterGroup>
    </EuiToolTip>
  );
}
