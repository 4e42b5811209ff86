/** Field access and simplified rule predicates shared by the simulator's tests. */

/** Value at a dotted path of a nested document. */
export function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key]; // a non-null object, checked on the line above
  }
  return cur;
}

const has = (v: unknown, wanted: string) => (Array.isArray(v) ? v.includes(wanted) : v === wanted);

/** The query of rule 420e5bb4 ("Interactive Exec Command Launched Against A Running Container"), evaluated by hand. */
export function matchesInteractiveExecRule(e: unknown): boolean {
  const id = get(e, 'container.id');
  return (
    typeof id === 'string' && id.length > 0 &&
    has(get(e, 'event.type'), 'start') &&
    get(e, 'process.entry_leader.entry_meta.type') === 'container' &&
    get(e, 'process.entry_leader.same_as_process') === true &&
    get(e, 'process.interactive') === true
  );
}

export const args = (e: unknown): string[] => (get(e, 'process.args') as string[] | undefined) ?? [];
export const isExec = (e: unknown): boolean => get(e, 'event.action') === 'exec' && has(get(e, 'event.type'), 'start');
