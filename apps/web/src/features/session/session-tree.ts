import type { SessionProcess } from '@execwatch/api';

/** A process and the processes it started, in start order. */
export interface SessionNode {
  process: SessionProcess;
  children: SessionNode[];
  depth: number;
}

function startOf(p: SessionProcess): number {
  const t = p.start ? Date.parse(p.start) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Builds the session's process tree from entity ids. Processes whose parent is not in the session
 * become roots; the alert's own process (the exec'd shell) is listed first among the roots.
 * A parent cycle in bad data cannot loop: each process is placed once.
 */
export function buildSessionTree(processes: readonly SessionProcess[]): SessionNode[] {
  const ordered = [...processes].sort((a, b) => startOf(a) - startOf(b));
  const byId = new Map<string, SessionProcess>();
  for (const p of ordered) if (!byId.has(p.entity_id)) byId.set(p.entity_id, p);
  const children = new Map<string, SessionProcess[]>();
  const roots: SessionProcess[] = [];
  for (const p of byId.values()) {
    const parent = p.parent_entity_id;
    if (parent && parent !== p.entity_id && byId.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(p);
      children.set(parent, list);
    } else {
      roots.push(p);
    }
  }
  roots.sort((a, b) => Number(b.is_alert_process) - Number(a.is_alert_process) || startOf(a) - startOf(b));
  const placed = new Set<string>();
  const build = (p: SessionProcess, depth: number): SessionNode => {
    placed.add(p.entity_id);
    const kids = (children.get(p.entity_id) ?? []).filter((c) => !placed.has(c.entity_id));
    return { process: p, depth, children: kids.map((c) => build(c, depth + 1)) };
  };
  const tree = roots.map((r) => build(r, 0));
  // Processes only reachable through a cycle were never placed: show them as roots rather than drop them.
  for (const p of byId.values()) if (!placed.has(p.entity_id)) tree.push(build(p, 0));
  return tree;
}

/** Depth-first list of the tree, for rendering rows. */
export function flattenSessionTree(nodes: readonly SessionNode[]): SessionNode[] {
  const out: SessionNode[] = [];
  const walk = (n: SessionNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}
