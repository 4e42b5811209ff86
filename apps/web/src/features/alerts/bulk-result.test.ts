import { describe, expect, it } from 'vitest';
import { bulkResultToast } from './bulk-result';

describe('the bulk update toast', () => {
  it('says how many were updated and that none was skipped', () => {
    expect(bulkResultToast({ updated: 2, skipped: 0, errors: [] })).toEqual({ title: 'Updated 2 alert(s)', text: '2 updated, 0 skipped', color: 'success' });
  });

  it('warns with the first reason when some were skipped', () => {
    const errors = [
      { id: 'a', error: 'required_steps_incomplete', message: 'required checklist steps are not done' },
      { id: 'b', error: 'required_steps_incomplete', message: 'required checklist steps are not done' },
    ];
    expect(bulkResultToast({ updated: 1200, skipped: 2, errors })).toEqual({
      title: 'Updated 1,200 alert(s)',
      text: '1,200 updated, 2 skipped: required checklist steps are not done (and 1 more)',
      color: 'warning',
    });
  });

  it('never reports an empty result as a success', () => {
    expect(bulkResultToast({ updated: 0, skipped: 0, errors: [] })).toEqual({ title: 'No alert was updated', text: '0 updated, 0 skipped', color: 'warning' });
  });
});
