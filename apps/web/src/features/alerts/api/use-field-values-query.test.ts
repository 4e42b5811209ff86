import { describe, expect, it } from 'vitest';
import { defaultAlertsViewState } from '../alerts-view-state';
import { fieldValuesScope } from './use-field-values-query';

describe("a filter drop-down's values", () => {
  const view = { ...defaultAlertsViewState, namespace: ['payments'], image: ['nginx:1.25'], query: 'process.name:bash', fields: { 'container.id': 'c1' }, minSessionRisk: 50 };

  it('are counted under every other active filter', () => {
    const scope = fieldValuesScope('namespace', view);
    expect(scope).toMatchObject({ image: ['nginx:1.25'], query: 'process.name:bash', fields: { 'container.id': 'c1' }, minSessionRisk: 50, groupBy: 'namespace' });
  });

  it("but not under the drop-down's own filter, so its other values stay offered", () => {
    expect(fieldValuesScope('namespace', view).namespace).toEqual([]);
    expect(fieldValuesScope('image', view)).toMatchObject({ image: [], namespace: ['payments'] });
  });
});
