import { describe, expect, it } from 'vitest';
import { mergeStoredColumns } from './visible-columns';

const known = ['time', 'rule', 'risk', 'session_risk', 'namespace', 'status'];
const defaults = ['time', 'rule', 'risk', 'session_risk', 'namespace', 'status'];
const merge = (stored: unknown, seen: unknown = null) => mergeStoredColumns({ stored, seen, known, defaults, addedSinceFirstRelease: ['session_risk'] });

describe('the stored column choice', () => {
  it('uses the defaults without a usable choice', () => {
    expect(merge(null)).toEqual(defaults);
    expect(merge('time')).toEqual(defaults);
    expect(merge(['bogus'])).toEqual(defaults);
  });

  it('shows a column added since a choice saved by the first release, where the defaults put it', () => {
    expect(merge(['time', 'risk', 'status'])).toEqual(['time', 'risk', 'session_risk', 'status']);
  });

  it('keeps hidden a column the analyst hid after it was offered', () => {
    expect(merge(['time', 'risk', 'status'], known)).toEqual(['time', 'risk', 'status']);
  });

  it('drops columns the table no longer has', () => {
    expect(merge(['time', 'gone', 'status'], known)).toEqual(['time', 'status']);
  });
});
