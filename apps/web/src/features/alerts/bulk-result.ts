import type { BulkUpdateAlertsResponse } from '@execwatch/api';
import { formatCount } from '../../lib/format';

/** The toast after a bulk update: always both counts, a warning when anything was skipped or nothing changed. */
export function bulkResultToast(result: BulkUpdateAlertsResponse): { title: string; text: string; color: 'success' | 'warning' } {
  const { updated, skipped, errors } = result;
  const counts = `${formatCount(updated)} updated, ${formatCount(skipped)} skipped`;
  if (skipped > 0) {
    const why = (result.skip_reasons ?? []).map((r) => r.message).join('; ');
    if (why) return { title: `Updated ${formatCount(updated)} alert(s)`, text: `${counts}: ${why}`, color: 'warning' };
    const first = errors[0]?.message;
    const more = errors.length > 1 ? ` (and ${formatCount(errors.length - 1)} more)` : '';
    return { title: `Updated ${formatCount(updated)} alert(s)`, text: `${counts}${first ? `: ${first}${more}` : ''}`, color: 'warning' };
  }
  if (updated === 0) return { title: 'No alert was updated', text: counts, color: 'warning' };
  return { title: `Updated ${formatCount(updated)} alert(s)`, text: counts, color: 'success' };
}
