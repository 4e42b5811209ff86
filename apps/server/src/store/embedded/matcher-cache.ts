import { compileExceptionMatcher, type ExceptionMatcher } from '@execwatch/exceptions';
import type { ExceptionItemForMatching } from '../ports';

interface Entry {
  matcher: ExceptionMatcher;
  /** The first expire time after compilation: from then on another item may have expired. */
  validUntil: number;
}

/**
 * Compiled exception matchers of recent runs, by the items' content. A rule runs every few minutes
 * with the same items; compiling 500 items (schema checks, indexes) costs 10-25 ms, about a third of a
 * run over 100,000 events. A cached matcher is reused only until one of its items' expire times
 * passes, so expiry is applied exactly as a fresh compilation would.
 */
export function createMatcherCache(maxEntries = 8): (items: ExceptionItemForMatching[], now: number) => ExceptionMatcher {
  const cache = new Map<string, Entry>();
  return (items, now) => {
    if (items.length === 0) return compileExceptionMatcher(items, { now });
    const key = JSON.stringify(items);
    const hit = cache.get(key);
    if (hit && now < hit.validUntil) {
      // Map order is insertion order: re-inserting keeps recently used entries last.
      cache.delete(key);
      cache.set(key, hit);
      return hit.matcher;
    }
    const matcher = compileExceptionMatcher(items, { now });
    let validUntil = Number.POSITIVE_INFINITY;
    for (const item of items) {
      const at = typeof item.expire_time === 'string' && item.expire_time !== '' ? Date.parse(item.expire_time) : NaN;
      if (at > now && at < validUntil) validUntil = at;
    }
    cache.delete(key);
    cache.set(key, { matcher, validUntil });
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return matcher;
  };
}
