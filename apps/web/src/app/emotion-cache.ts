import createCache, { type EmotionCache } from '@emotion/cache';

/** The CSP nonce the server injects as `<meta property="csp-nonce">`, if any. */
export function readCspNonce(doc: Document = document): string | undefined {
  const content = doc.querySelector('meta[property="csp-nonce"]')?.getAttribute('content');
  return content && content.length > 0 ? content : undefined;
}

/** Emotion caches for EUI that stamp the CSP nonce on the style tags they insert. */
export function createEuiCaches(nonce: string | undefined): { default: EmotionCache; global: EmotionCache; utility: EmotionCache } {
  return {
    default: createCache({ key: 'eui', nonce }),
    global: createCache({ key: 'eui-global', nonce, prepend: true }),
    utility: createCache({ key: 'eui-util', nonce }),
  };
}
