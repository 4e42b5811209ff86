import { jsonPath, parentPaths } from './field-path';
import type { SqlFragment } from './prefilter-sql';

interface Node {
  leaf: boolean;
  children: Map<string, Node>;
}

/**
 * SQL selecting only `fields` of a JSONB column as a small nested JSON object (text). Rows where a
 * parent of a field is an array (objects inside arrays) get the whole document, so nothing is lost.
 */
export function projectionSql(fields: string[], col = 'doc'): SqlFragment {
  const root: Node = { leaf: false, children: new Map() };
  const parents = new Set<string>();
  for (const f of new Set(fields)) {
    jsonPath(f); // validates
    let node = root;
    for (const part of f.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = { leaf: false, children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.leaf = true;
    for (const p of parentPaths(f)) parents.add(p);
  }
  if (root.children.size === 0) return { sql: `'{}'`, params: [] };
  const params: (string | number)[] = [];
  const build = (node: Node, prefix: string[]): string => {
    const args: string[] = [];
    for (const [key, child] of node.children) {
      const path = [...prefix, key];
      args.push('?');
      params.push(key);
      if (child.leaf) {
        args.push(`${col} -> ?`);
        params.push(jsonPath(path.join('.')));
      } else {
        args.push(build(child, path));
      }
    }
    return `json_object(${args.join(', ')})`;
  };
  const projected = build(root, []);
  if (parents.size === 0) return { sql: projected, params };
  const checks = [...parents].map(() => `json_type(${col}, ?) = 'array'`).join(' OR ');
  return { sql: `CASE WHEN ${checks} THEN json(${col}) ELSE ${projected} END`, params: [...parents, ...params] };
}
