import { describe, expect, it } from 'vitest';
import { injectNonce } from './static-web';

describe('injectNonce', () => {
  it('puts the nonce on every script tag and in a csp-nonce meta tag', () => {
    const html = '<!doctype html><html><head><script type="module" src="/assets/a.js"></script></head><body><script>1</script></body></html>';
    const out = injectNonce(html, 'abc123');
    expect(out.match(/<script nonce="abc123"/g)).toHaveLength(2);
    expect(out).toContain('<meta property="csp-nonce" content="abc123" />');
    expect(out.indexOf('csp-nonce')).toBeLessThan(out.indexOf('<script'));
  });

  it('leaves scripts that already carry a nonce alone', () => {
    expect(injectNonce('<head></head><script nonce="x"></script>', 'y')).toContain('<script nonce="x">');
  });
});
