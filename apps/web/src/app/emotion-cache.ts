import createCache, { type EmotionCache } from '@emotion/cache';
import { cache as emotionCssCache } from '@emotion/css';
import { setNonce as setScrollLockNonce } from 'get-nonce';

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

/**
 * Some EUI components (the overlay mask behind modals, for one) style themselves through the
 * default `@emotion/css` instance, and flyouts lock scrolling with their own <style> tag; neither
 * has a nonce by default, so the CSP would block them: give both the nonce before anything renders.
 */
export function applyNonceToEmotionCss(nonce: string | undefined): void {
  if (!nonce) return;
  emotionCssCache.sheet.nonce = nonce;
  // Flyouts and modals lock body scrolling with a <style> tag (react-remove-scroll), which takes its nonce from here.
  setScrollLockNonce(nonce);
}

/**
 * Third-party code (EUI's own emotion instance among it) creates <style> tags we cannot configure;
 * stamp the nonce on every <style> element as it is created so the CSP lets them apply.
 */
export function stampNonceOnStyleElements(nonce: string | undefined, doc: Document = document): void {
  if (!nonce) return;
  const create = doc.createElement.bind(doc);
  // Reassigning the method keeps its overloads; only <style> elements are touched.
  doc.createElement = ((tagName: string, options?: ElementCreationOptions) => {
    const element = create(tagName, options);
    if (tagName.toLowerCase() === 'style') element.setAttribute('nonce', nonce);
    return element;
  }) as typeof doc.createElement;
}
