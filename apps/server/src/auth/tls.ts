import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';

/**
 * Reads `EXECWATCH_TLS_CERT` / `EXECWATCH_TLS_KEY` (PEM files) for `https.createServer`, checking that the
 * certificate parses, has not expired and belongs to the key. Throws an error naming the problem.
 */
export function loadTlsOptions(certPath: string, keyPath: string, now: number = Date.now()): { cert: Buffer; key: Buffer } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new Error(`the TLS certificate ${certPath} is not a PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`the TLS key ${keyPath} is not a PEM private key (encrypted keys are not supported)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new Error(`the TLS key ${keyPath} does not belong to the certificate ${certPath}`);
  if (Date.parse(x509.validTo) <= now) throw new Error(`the TLS certificate ${certPath} expired on ${x509.validTo}`);
  return { cert, key };
}
