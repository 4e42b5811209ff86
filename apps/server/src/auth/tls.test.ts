import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsOptions } from './tls';

/** A self-signed certificate and key made with the openssl command line. */
function selfSigned(dir: string, name: string, days: number): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

describe('loadTlsOptions', () => {
  let dir: string;
  let a: { cert: string; key: string };
  let b: { cert: string; key: string };
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-tls-'));
    a = selfSigned(dir, 'a', 30);
    b = selfSigned(dir, 'b', 30);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a matching certificate and key that serve HTTPS', async () => {
    const tls = loadTlsOptions(a.cert, a.key);
    const server = https.createServer(tls, (_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      // listen() on a TCP port always yields an AddressInfo.
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, ca: tls.cert, path: '/' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('names the problem: missing file, not PEM, key of another certificate, expired', () => {
    expect(() => loadTlsOptions(path.join(dir, 'missing.crt'), a.key)).toThrow(/cannot read the TLS certificate/);
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(() => loadTlsOptions(junk, a.key)).toThrow(/is not a PEM certificate/);
    expect(() => loadTlsOptions(a.cert, junk)).toThrow(/is not a PEM private key/);
    expect(() => loadTlsOptions(a.cert, b.key)).toThrow(/does not belong to the certificate/);
    expect(() => loadTlsOptions(a.cert, a.key, Date.now() + 40 * 86_400_000)).toThrow(/expired/);
  });
});
