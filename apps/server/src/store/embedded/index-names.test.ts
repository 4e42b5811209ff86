import { describe, expect, it } from 'vitest';
import { indexMatcher, indexNameError, isDataStreamName } from './index-names';

describe('index names', () => {
  it.each([
    ['logs-cloud_defend.process-default', null],
    ['.hidden-index', null],
    ['Upper', /lowercase/],
    ['', /empty/],
    ['.', /must not be/],
    ['_underscore', /must not start/],
    ['-dash', /must not start/],
    ['a*b', /must not contain/],
    ['a b', /must not contain/],
    ['a:b', /must not contain/],
    ['x'.repeat(256), /too long/],
  ])('indexNameError(%j)', (name, expected) => {
    const error = indexNameError(name);
    if (expected === null) expect(error).toBeNull();
    else expect(error).toMatch(expected);
  });

  it('data stream names follow the logs-*-* template', () => {
    expect(isDataStreamName('logs-cloud_defend.process-default')).toBe(true);
    expect(isDataStreamName('logs-nodash')).toBe(false);
    expect(isDataStreamName('metrics-a-b')).toBe(false);
  });

  it('matches patterns with wildcards, lists and exclusions', () => {
    const m = indexMatcher(['logs-cloud_defend*', 'audit,-audit-old']);
    expect(m('logs-cloud_defend.process-default')).toBe(true);
    expect(m('logs-endpoint.events-default')).toBe(false);
    expect(m('audit')).toBe(true);
    expect(m('audit-old')).toBe(false);
    expect(indexMatcher(['a.b'])('axb')).toBe(false);
  });
});
