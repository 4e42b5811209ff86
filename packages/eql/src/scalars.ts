/** Scalar helpers shared by the evaluator, the query DSL filter and the search: dates, IPs, versions, wildcards. */

const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The two decimal digits at `i` as a number, or -1 when they are not both digits. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The common shapes `YYYY-MM-DDTHH:MM:SS.sssZ` and `YYYY-MM-DDTHH:MM:SSZ`, read without a regular expression; null
 * for anything else (which parseDate still reads). Written without loops, so that it stays small enough to be inlined
 * where every document's timestamp is read.
 */
export function parseIsoFast(s: string): number | null {
  const len = s.length;
  if ((len !== 24 && len !== 20) || s.charCodeAt(len - 1) !== 90 || s.charCodeAt(10) !== 84) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const century = twoDigits(s, 0);
  const year = twoDigits(s, 2);
  const mo = twoDigits(s, 5);
  const d = twoDigits(s, 8);
  const h = twoDigits(s, 11);
  const mi = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  let ms = 0;
  if (len === 24) {
    const tens = twoDigits(s, 20);
    const units = s.charCodeAt(22) - 48;
    if (s.charCodeAt(19) !== 46 || tens < 0 || !(units >= 0 && units <= 9)) return null;
    ms = tens * 10 + units;
  }
  if (century < 0 || year < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  return ((daysFromCivil(century * 100 + year, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
}

/** Parses an ISO-8601 date (any precision down to nanoseconds; UTC when no zone) to epoch milliseconds, fraction kept. */
export function parseIsoDate(s: string): number | null {
  const fast = parseIsoFast(s);
  if (fast !== null) return fast;
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  if ((mo && (Number(mo) < 1 || Number(mo) > 12)) || (d && (Number(d) < 1 || Number(d) > 31))) return null;
  if ((h && Number(h) > 24) || (mi && Number(mi) > 59) || (sec && Number(sec) > 60)) return null;
  let ms = Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1, h ? Number(h) : 0, mi ? Number(mi) : 0, sec ? Number(sec) : 0);
  if (Number.isNaN(ms)) return null;
  if (frac) ms += Number(`0.${frac}`) * 1000;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return ms;
}

const formatCache = new Map<string, RegExp | null>();

/** A Java-style date pattern (yyyy, MM, dd, HH, mm, ss, SSS) as a regular expression with named groups. */
function formatRegex(format: string): RegExp | null {
  let re = formatCache.get(format);
  if (re !== undefined) return re;
  const tokens: Record<string, string> = { yyyy: '(?<y>\\d{4})', uuuu: '(?<y>\\d{4})', MM: '(?<mo>\\d{2})', dd: '(?<d>\\d{2})', HH: '(?<h>\\d{2})', mm: '(?<mi>\\d{2})', ss: '(?<s>\\d{2})', SSS: '(?<f>\\d{3})' };
  let src = '';
  let ok = true;
  for (let i = 0; i < format.length; ) {
    const tok = Object.keys(tokens).find((k) => format.startsWith(k, i));
    if (tok) {
      src += tokens[tok];
      i += tok.length;
    } else if (/[a-zA-Z]/.test(format[i])) {
      ok = false;
      break;
    } else {
      src += format[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  re = ok ? new RegExp(`^${src}$`) : null;
  formatCache.set(format, re);
  return re;
}

/** Parses a date value as Elasticsearch does for a `date` field: epoch millis (number or digits), ISO-8601, or `format`. */
export function parseDate(v: unknown, format?: string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  if (!format) {
    const fast = parseIsoFast(v);
    if (fast !== null) return fast;
  }
  const s = v.trim();
  if (format) {
    for (const f of format.split('||')) {
      if (f === 'epoch_millis') {
        if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
        continue;
      }
      if (f === 'epoch_second') {
        if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
        continue;
      }
      const re = formatRegex(f);
      const m = re?.exec(s);
      if (m?.groups) {
        const g = m.groups;
        return Date.UTC(Number(g.y ?? 1970), Number(g.mo ?? 1) - 1, Number(g.d ?? 1), Number(g.h ?? 0), Number(g.mi ?? 0), Number(g.s ?? 0), Number(g.f ?? 0));
      }
      if (!re) {
        const iso = parseIsoDate(s);
        if (iso !== null) return iso;
      }
    }
    return null;
  }
  const fast = parseIsoFast(s);
  if (fast !== null) return fast;
  if (/^-?\d+$/.test(s)) return Number(s);
  return parseIsoDate(s);
}

/** Formats epoch millis as Elasticsearch renders a date (ISO-8601 UTC with milliseconds). */
export function formatDate(ms: number): string {
  const d = new Date(Math.floor(ms));
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** Parses an IPv4 or IPv6 address into 16 bytes (IPv4 as IPv4-mapped IPv6), or null. */
export function parseIp(s: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  const out = new Uint8Array(16);
  if (v4) {
    out[10] = 0xff;
    out[11] = 0xff;
    for (let i = 0; i < 4; i++) {
      const b = Number(v4[i + 1]);
      if (b > 255) return null;
      out[12 + i] = b;
    }
    return out;
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let head = s;
  let tailV4: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIp(s.slice(lastColon + 1));
    if (!tailV4) return null;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (p: string): number[] | null => {
    if (p === '') return [];
    const groups = p.split(':');
    const nums: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      nums.push(parseInt(g, 16));
    }
    return nums;
  };
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return null;
  const fill = 8 - left.length - right.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || (halves.length === 2 && fill < 1)) return null;
  const groups = [...left, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...right];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  if (tailV4) out.set(tailV4.subarray(12), 12);
  return out;
}

/** The canonical text of an IP address (dotted IPv4; RFC 5952 IPv6), or the input when it is not an address. */
export function normalizeIp(s: string): string {
  const b = parseIp(s);
  if (!b) return s;
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses `a.b.c.d/n` or `v6/n` into a matcher; null when the block is invalid. */
export function parseCidr(cidr: string): ((ip: Uint8Array) => boolean) | null {
  const slash = cidr.indexOf('/');
  const addr = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  if (!addr) return null;
  const isV4 = !cidr.slice(0, slash < 0 ? undefined : slash).includes(':');
  let bits = slash < 0 ? 128 : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > (isV4 ? 32 : 128)) return null;
  if (slash >= 0 && isV4) bits += 96;
  else if (slash < 0 && isV4) bits = 128;
  return (ip) => {
    for (let i = 0; i < 16; i++) {
      const take = Math.max(0, Math.min(8, bits - i * 8));
      if (take === 0) return true;
      const mask = (0xff << (8 - take)) & 0xff;
      if ((ip[i] & mask) !== (addr[i] & mask)) return false;
    }
    return true;
  };
}

interface ParsedVersion {
  valid: boolean;
  main: number[];
  pre: string[] | null;
  text: string;
}

function parseVersion(s: string): ParsedVersion {
  const m = /^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(s);
  if (!m) return { valid: false, main: [], pre: null, text: s };
  return { valid: true, main: m[1].split('.').map(Number), pre: m[2] ? m[2].split('.') : null, text: s };
}

/** Orders values of a `version` field: semantic versions by precedence, invalid ones after all valid ones. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x.valid !== y.valid) return x.valid ? -1 : 1;
  if (!x.valid) return a < b ? -1 : a > b ? 1 : 0;
  const n = Math.max(x.main.length, y.main.length);
  for (let i = 0; i < n; i++) {
    const d = (x.main[i] ?? 0) - (y.main[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (!x.pre || !y.pre) return x.pre ? -1 : y.pre ? 1 : 0;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d !== 0) return d < 0 ? -1 : 1;
    } else if (pn !== qn) return pn ? -1 : 1;
    else if (p !== q) return p < q ? -1 : 1;
  }
  return Math.sign(x.pre.length - y.pre.length);
}

function foldCode(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c < 128) return c;
  return String.fromCharCode(c).toLowerCase().charCodeAt(0);
}

/**
 * Case-insensitive equality without allocating for ASCII text. `lower` must already be lower case. Only non-ASCII
 * text can change length or meet a non-ASCII letter when lower-cased, so only it takes the full `toLowerCase`.
 */
export function equalsFolded(s: string, lower: string): boolean {
  // text that is already lower case (the usual data) needs no loop: === compares whole strings at once
  if (s === lower) return true;
  const n = s.length;
  if (n !== lower.length) {
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 128) return s.toLowerCase() === lower;
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = lower.charCodeAt(i);
    if (c === d) continue;
    if (c >= 128) return s.toLowerCase() === lower;
    if (c < 65 || c > 90 || c + 32 !== d) return false;
  }
  return true;
}

/** Lower-cases like Elasticsearch's case-insensitive keyword matching. */
export function fold(s: string): string {
  return s.toLowerCase();
}

/**
 * Matches `s` against an EQL wildcard pattern (`*` any run, `?` one character) in O(len(s) * len(p)) at worst.
 * With `insensitive`, `p` must already be folded.
 */
export function wildcardMatch(s: string, p: string, insensitive: boolean): boolean {
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  const sl = s.length;
  const pl = p.length;
  while (si < sl) {
    const pc = pi < pl ? p.charCodeAt(pi) : -1;
    if (pc === 42) {
      star = pi++;
      mark = si;
      continue;
    }
    if (pc !== -1) {
      const c = s.charCodeAt(si);
      if (pc === 63 || c === pc || (insensitive && foldCode(c) === pc)) {
        si++;
        pi++;
        continue;
      }
    }
    if (star < 0) return false;
    pi = star + 1;
    si = ++mark;
  }
  while (pi < pl && p.charCodeAt(pi) === 42) pi++;
  return pi === pl;
}

/** Whether an EQL pattern uses wildcards at all. */
export function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?');
}
