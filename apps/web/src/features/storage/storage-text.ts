/** Text of the storage panel. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `1.5 GB`: binary multiples, one decimal below 100 of a unit; `—` when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

/** What the disk guard says, in a sentence (null: no guard). */
export function diskSentence(disk: { free_bytes: number | null; min_free_bytes: number | null; blocked: boolean } | null): string | null {
  if (!disk || disk.free_bytes === null) return null;
  const free = `${formatBytes(disk.free_bytes)} free, ingest stops below ${formatBytes(disk.min_free_bytes)}`;
  return disk.blocked ? `Ingest is refused: ${free}. Free space on the data folder's disk or shorten the event retention.` : free;
}

/** Whether a text is a retention the server accepts (`36h`, `7d`, 1 hour to 100 years). */
export function retentionInputError(text: string): string | null {
  const m = /^(\d{1,6})(m|h|d)$/.exec(text.trim());
  if (!m) return 'Use a number and a unit: 90m, 36h or 7d.';
  const ms = Number(m[1]) * (m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000);
  if (ms < 3_600_000) return 'At least 1h.';
  if (ms > 36_500 * 86_400_000) return 'At most 36500d.';
  return null;
}
