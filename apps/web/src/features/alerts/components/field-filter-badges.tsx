import { EuiBadge, EuiBadgeGroup } from '@elastic/eui';

/** Exact field filters (added from the flyout), each removable. */
export function FieldFilterBadges({ fields, onRemove }: { fields: Record<string, string>; onRemove: (field: string) => void }) {
  const entries = Object.entries(fields);
  if (entries.length === 0) return null;
  return (
    <EuiBadgeGroup gutterSize="s" data-test-subj="field-filters">
      {entries.map(([field, value]) => (
        <EuiBadge
          key={field}
          color="hollow"
          iconType="cross"
          iconSide="right"
          iconOnClick={() => onRemove(field)}
          iconOnClickAriaLabel={`Remove filter ${field}: ${value}`}
          data-test-subj="field-filter-badge"
        >
          {field}: {value}
        </EuiBadge>
      ))}
    </EuiBadgeGroup>
  );
}
