import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_URI_LENGTH, parseRequestUri, type PodSessionRequest, type RequestUriErrorCode } from './request-uri';

const base = '/api/v1/namespaces/prod/pods/web-1';

const ok = (partial: Partial<PodSessionRequest>): PodSessionRequest => ({
  namespace: 'prod',
  pod: 'web-1',
  subresource: 'exec',
  containerRepeated: false,
  command: [],
  stdin: false,
  stdout: false,
  stderr: false,
  tty: false,
  ...partial,
});

describe('parseRequestUri', () => {
  it.each<[string, string, PodSessionRequest]>([
    [
      'a kubectl exec',
      `${base}/exec?command=sh&command=-c&command=echo%20hi&container=app&stdin=true&stdout=true&tty=true`,
      ok({ container: 'app', command: ['sh', '-c', 'echo hi'], stdin: true, stdout: true, tty: true }),
    ],
    ['+ is a space in the query', `${base}/exec?command=echo+a%2Bb&container=app`, ok({ container: 'app', command: ['echo a+b'] })],
    ['an encoded & and = stay in the value', `${base}/exec?command=a%26b%3Dc`, ok({ command: ['a&b=c'] })],
    ['UTF-8 escapes', `${base}/exec?command=%C3%A9t%C3%A9`, ok({ command: ['été'] })],
    ['an empty command value', `${base}/exec?command=&command=x`, ok({ command: ['', 'x'] })],
    ['a key without = is an empty value', `${base}/exec?command&stdin`, ok({ command: [''], stdin: true })],
    ['empty pairs are skipped', `${base}/exec?&&command=ls&&`, ok({ command: ['ls'] })],
    [
      'a repeated container takes the first and says so',
      `${base}/exec?container=app&container=sidecar&command=ls`,
      ok({ container: 'app', containerRepeated: true, command: ['ls'] }),
    ],
    ['an empty container is none', `${base}/exec?container=&command=ls`, ok({ command: ['ls'] })],
    [
      'booleans as the apiserver reads them (only absent, 0 and false are false)',
      `${base}/exec?stdin=FALSE&stdout=0&stderr=&tty=yes`,
      ok({ stdin: false, stdout: false, stderr: true, tty: true }),
    ],
    ['first boolean value wins', `${base}/exec?tty=false&tty=true`, ok({ tty: false })],
    ['parameter names are case-sensitive', `${base}/exec?Command=ls&CONTAINER=app`, ok({})],
    [
      'attach has no command',
      `${base}/attach?container=app&stdin=true&tty=true&command=ignored`,
      ok({ subresource: 'attach', container: 'app', stdin: true, tty: true }),
    ],
    ['ephemeralcontainers (kubectl debug) has no command or container', `${base}/ephemeralcontainers?fieldManager=kubectl-debug`, ok({ subresource: 'ephemeralcontainers' })],
    ['no query at all', `${base}/exec`, ok({})],
    ['a trailing slash', `${base}/exec/?command=ls`, ok({ command: ['ls'] })],
    ['an escaped path segment', '/api/v1/namespaces/pr%6Fd/pods/web-1/exec', ok({})],
    ['+ is literal in the path', '/api/v1/namespaces/prod/pods/a+b/exec', ok({ pod: 'a+b' })],
    ['lower-case hex escapes', `${base}/exec?command=%2f%2F`, ok({ command: ['//'] })],
  ])('%s', (_name, uri, expected) => {
    expect(parseRequestUri(uri)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, unknown, RequestUriErrorCode]>([
    ['not a string', 42, 'not_a_string'],
    ['a % at the end', `${base}/exec?command=50%`, 'malformed_escape'],
    ['a % with one digit', `${base}/exec?command=%4`, 'malformed_escape'],
    ['a % with non-hex digits', `${base}/exec?command=%zz`, 'malformed_escape'],
    ['a malformed escape in a key', `${base}/exec?comm%and=ls`, 'malformed_escape'],
    ['a malformed escape in the path', '/api/v1/namespaces/prod/pods/web%G1/exec', 'malformed_escape'],
    ['a semicolon separator', `${base}/exec?command=ls;container=app`, 'semicolon_separator'],
    ['not a pod path', '/api/v1/namespaces/prod/services/web/proxy', 'not_a_pod_subresource'],
    ['a pod without subresource', base, 'not_a_pod_subresource'],
    ['a group API path', '/apis/apps/v1/namespaces/prod/deployments/web', 'not_a_pod_subresource'],
    ['an empty namespace', '/api/v1/namespaces//pods/web-1/exec', 'not_a_pod_subresource'],
    ['extra segments', `${base}/exec/more`, 'not_a_pod_subresource'],
    ['an encoded slash splits the path, as Go decodes before splitting', '/api/v1/namespaces/prod/pods/a%2Fb/exec', 'not_a_pod_subresource'],
    ['non-resource URL', '/healthz', 'not_a_pod_subresource'],
    ['a relative URI', 'api/v1/namespaces/prod/pods/web-1/exec', 'not_a_pod_subresource'],
    ['another subresource', `${base}/portforward?ports=8080`, 'unsupported_subresource'],
    ['logs', `${base}/log`, 'unsupported_subresource'],
  ])('refuses %s', (_name, uri, error) => {
    const result = parseRequestUri(uri);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe(error);
      expect(result.message).toMatch(/^requestURI: /);
    }
  });

  it('refuses URIs over the cap and reads one at the cap', () => {
    const prefix = `${base}/exec?command=`;
    const atCap = prefix + 'a'.repeat(MAX_REQUEST_URI_LENGTH - prefix.length);
    expect(atCap.length).toBe(MAX_REQUEST_URI_LENGTH);
    const read = parseRequestUri(atCap);
    expect(read.ok && read.value.command[0]?.length).toBe(MAX_REQUEST_URI_LENGTH - prefix.length);
    const over = parseRequestUri(`${atCap}a`);
    expect(over).toMatchObject({ ok: false, error: 'too_long' });
    const huge = parseRequestUri(`${prefix}${'%41'.repeat(1_000_000)}`);
    expect(huge).toMatchObject({ ok: false, error: 'too_long' });
  });

  it('bytes that are not UTF-8 become U+FFFD instead of failing', () => {
    const result = parseRequestUri(`${base}/exec?command=%FF`);
    expect(result).toMatchObject({ ok: true, value: { command: ['\uFFFD'] } });
  });

  it('never throws on random input', () => {
    const alphabet = ['%', '+', '&', '=', ';', '/', '?', 'a', '0', 'F', 'é', '\u0000', 'exec', 'pods', 'namespaces'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      let s = i % 2 === 0 ? `${base}/exec?` : '';
      const len = next() % 40;
      for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
      expect(() => parseRequestUri(s)).not.toThrow();
    }
  });
});
