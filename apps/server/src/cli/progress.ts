/** Ingest progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise. */

export interface ProgressState {
  events: number;
  /** Bytes of the input file read so far (compressed bytes for a gzipped file). */
  bytesRead: number;
  totalBytes: number;
  elapsedMs: number;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 24;
const number = new Intl.NumberFormat('en-US');

/** `m:ss` (or `h:mm:ss`) for a duration in seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** One progress line: bar, percent of the file, events read, rate and ETA (from the share of the file still unread). */
export function formatProgress(p: ProgressState, withBar: boolean): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.events / seconds : 0;
  const eta = fraction > 0 && fraction < 1 ? formatDuration((seconds * (1 - fraction)) / fraction) : fraction >= 1 ? '0:00' : '?';
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ` : '';
  return `${bar}${String(Math.floor(fraction * 100)).padStart(3)}%  ${number.format(p.events)} events  ${number.format(Math.round(rate))}/s  ETA ${eta}`;
}

/** Throttled progress display; `log` prints a message without garbling the bar. */
export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly totalBytes: number,
    private readonly now: () => number = () => performance.now(),
    private readonly plainIntervalMs = 5000,
  ) {
    this.started = now();
  }

  get elapsedMs(): number {
    return this.now() - this.started;
  }

  update(events: number, bytesRead: number, force = false): void {
    const t = this.now();
    const interval = this.out.isTTY ? 100 : this.plainIntervalMs;
    if (!force && t - this.lastDraw < interval) return;
    this.lastDraw = t;
    const line = formatProgress({ events, bytesRead, totalBytes: this.totalBytes, elapsedMs: t - this.started }, Boolean(this.out.isTTY));
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.out.write(`${line}\n`);
    }
  }

  log(message: string): void {
    this.clear();
    this.out.write(`${message}\n`);
  }

  /** Removes the bar (on a terminal) before the summary. */
  clear(): void {
    if (this.drawn) {
      this.out.write('\r\x1b[2K');
      this.drawn = false;
    }
  }
}
