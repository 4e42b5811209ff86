import dateMath from '@elastic/datemath';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch ms of an ISO-8601 time or Elasticsearch date math (`now-1d`, `now/d`); null when neither. */
export function parseDateInput(text: string, opts: { roundUp: boolean; now: number }): number | null {
  const input = text.trim();
  if (ISO.test(input)) {
    const ms = Date.parse(input);
    return Number.isNaN(ms) ? null : ms;
  }
  const anchor = input.split('||')[0] ?? '';
  if (anchor !== 'now' && !input.startsWith('now') && !(input.includes('||') && ISO.test(anchor))) return null;
  const parsed = dateMath.parse(input, { roundUp: opts.roundUp, forceNow: new Date(opts.now) });
  return parsed && parsed.isValid() ? parsed.valueOf() : null;
}
