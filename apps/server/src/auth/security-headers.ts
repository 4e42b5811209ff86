import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy for one response. Scripts and `<style>` elements need the nonce (Emotion, which
 * EUI uses, reads it from `<meta property="csp-nonce">` and puts it on every style tag it inserts); never
 * `unsafe-eval`. Style *attributes* are allowed through `style-src-attr` only: EUI and its positioning code set
 * them on elements, and an attribute cannot run script; browsers without CSP3 fall back to the nonce-only `style-src`.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    `style-src-elem 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Security headers on every response, with a fresh nonce in `res.locals.cspNonce` for the HTML page.
 * `hsts` adds Strict-Transport-Security (only meaningful when serving HTTPS).
 */
export function securityHeaders(opts: { hsts: boolean }): RequestHandler {
  return (req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (opts.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    // API answers carry evidence and identities: keep them out of shared and browser caches.
    if (req.path.startsWith('/api/') || req.path === '/api') res.setHeader('Cache-Control', 'no-store');
    res.removeHeader('X-Powered-By');
    next();
  };
}
