/** Builds cloud_defend-shaped process events from command lines, for the session-risk tests. */

/** Splits a command line into words, honouring single and double quotes (no escapes, no expansions). */
export function words(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

const BIN: Record<string, string> = {
  sh: '/bin/sh', bash: '/bin/bash', cat: '/bin/cat', ls: '/bin/ls', ps: '/bin/ps', rm: '/bin/rm', mount: '/bin/mount', chmod: '/bin/chmod',
  busybox: '/bin/busybox', node: '/usr/local/bin/node', npm: '/usr/local/bin/npm', python3: '/usr/local/bin/python3', pip: '/usr/local/bin/pip',
};

export interface ProcOptions {
  /** Start time, epoch ms. */
  t?: number;
  id?: string;
  parent?: string;
  cwd?: string;
}

let counter = 0;

/** One `exec` event of the command line's process (nested ECS, as cloud_defend sends it). */
export function proc(line: string, o: ProcOptions = {}): Record<string, unknown> {
  const args = words(line);
  const first = args[0] ?? 'sh';
  const executable = first.startsWith('/') ? first : (BIN[first] ?? `/usr/bin/${first}`);
  const name = executable.slice(executable.lastIndexOf('/') + 1);
  const id = o.id ?? `proc-${++counter}`;
  const t = o.t ?? Date.UTC(2026, 0, 1);
  const start = new Date(t).toISOString();
  return {
    '@timestamp': start,
    event: { action: 'exec', category: ['process'], type: ['start'] },
    process: {
      entity_id: id,
      name,
      executable,
      args,
      start,
      working_directory: o.cwd ?? '/',
      interactive: true,
      parent: { entity_id: o.parent ?? 'shell' },
      entry_leader: { entity_id: 'shell' },
    },
  };
}

export const SESSION_START = Date.UTC(2026, 0, 1, 12, 0, 0);

export interface SessionOptions {
  /** Time between typed lines (default 5 s). */
  stepMs?: number;
  cwd?: string;
  start?: number;
}

/**
 * An interactive session: the exec'd shell, then one typed line every `stepMs`; the processes of a pipeline
 * (`a | b`) start a few milliseconds apart as siblings, children of the shell.
 */
export function session(lines: readonly string[], opts: SessionOptions = {}): { processes: Record<string, unknown>[]; entryStart: number } {
  const start = opts.start ?? SESSION_START;
  const step = opts.stepMs ?? 5_000;
  const shellId = `shell-${++counter}`;
  const processes = [proc('bash', { t: start, id: shellId, parent: 'runc', cwd: opts.cwd })];
  lines.forEach((line, i) => {
    line.split(' | ').forEach((part, j) => {
      processes.push(proc(part, { t: start + (i + 1) * step + j * 3, parent: shellId, cwd: opts.cwd }));
    });
  });
  return { processes, entryStart: start };
}

/** The `process.entity_id` of a built event. */
export function entityIdOf(event: Record<string, unknown>): string {
  const p = event.process;
  if (typeof p === 'object' && p !== null && 'entity_id' in p && typeof p.entity_id === 'string') return p.entity_id;
  throw new Error('not a built process event');
}
