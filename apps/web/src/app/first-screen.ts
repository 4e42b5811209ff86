/**
 * The first screen is the alert rows. Code the rows do not need (the time picker's widgets, the chart, the
 * flyout) waits for them, so it neither competes with them for the network nor holds the main thread while
 * they could paint. Whatever waits here still loads if the rows never come (an error, another page).
 */

/** Longest wait for the rows before the deferred code loads anyway. */
const FALLBACK_MS = 4000;

let markShown: () => void = () => {};
const shown = new Promise<void>((resolve) => {
  markShown = resolve;
});
let marked = false;

/** Says the first screen is on screen (or will not come); what waits for it starts after the next paint. */
export function markFirstScreenShown(): void {
  if (marked) return;
  marked = true;
  // after the frame that paints the rows, not before it
  requestAnimationFrame(() => window.setTimeout(markShown, 0));
}

/** Resolves once the first screen has painted (see markFirstScreenShown), or after FALLBACK_MS at most. */
export function afterFirstScreen(): Promise<void> {
  return Promise.race([shown, new Promise<void>((resolve) => window.setTimeout(resolve, FALLBACK_MS))]);
}
