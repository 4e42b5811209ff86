/**
 * The alerts page's keyboard shortcuts: what a key press means, and when a key press is someone typing rather
 * than a shortcut. Pure functions over the few DOM properties they read, so they run without a browser.
 */

export type ShortcutAction = 'next' | 'previous' | 'open' | 'acknowledge' | 'close' | 'help';

/** The shortcuts, as the help modal lists them. */
export const shortcutList: ReadonlyArray<{ keys: string[]; action: string }> = [
  { keys: ['j'], action: 'Next alert (in the table, or in the open flyout)' },
  { keys: ['k'], action: 'Previous alert' },
  { keys: ['Enter'], action: 'Open the highlighted alert' },
  { keys: ['a'], action: 'Acknowledge the highlighted or open alert' },
  { keys: ['c'], action: 'Close the highlighted or open alert (asks for a reason)' },
  { keys: ['Esc'], action: 'Close the flyout or dialog' },
  { keys: ['?'], action: 'Show this help' },
];

/** The parts of a DOM element the typing guard reads. */
export interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
  getAttribute?: (name: string) => string | null;
  closest?: (selector: string) => unknown;
}

/** Input types whose keys are not text: a shortcut pressed on them is still a shortcut. */
const nonTextInputs = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'range', 'color', 'file']);
const activatable = 'a, button, input, select, summary, [role="button"], [role="tab"], [role="menuitem"], [role="checkbox"]';
const typingRoles = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton']);

/** Whether a key press on `target` is typing: in a text input, textarea, select, combo box or contenteditable. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !nonTextInputs.has((target.type ?? 'text').toLowerCase());
  if (target.isContentEditable) return true;
  const role = target.getAttribute?.('role');
  if (role && typingRoles.has(role)) return true;
  // A combo box's list and pills hold focus while the analyst picks values.
  return Boolean(target.closest?.('[role="combobox"], [role="listbox"], .euiComboBox'));
}

/** The parts of a keyboard event the shortcut reader needs. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  repeat?: boolean;
  defaultPrevented?: boolean;
  isComposing?: boolean;
  target: TargetLike | null;
}

/**
 * What a key press asks for, or null when it is no shortcut: modified keys (the browser's and the system's),
 * presses while typing, and, while a modal dialog is open, everything but `?` (Esc is the dialog's own).
 */
export function shortcutFor(event: KeyLike, modalOpen: boolean): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) return null;
  if (event.key === '?') return isTypingTarget(event.target) ? null : 'help';
  if (modalOpen || isTypingTarget(event.target)) return null;
  switch (event.key) {
    case 'j':
      return 'next';
    case 'k':
      return 'previous';
    case 'Enter':
      // Enter on a focused button or link is that control's own click.
      return event.repeat || event.target?.closest?.(activatable) ? null : 'open';
    case 'a':
      return event.repeat ? null : 'acknowledge';
    case 'c':
      return event.repeat ? null : 'close';
    default:
      return null;
  }
}

/**
 * Whether a modal dialog is open in `doc`: an EUI modal, or anything announced as modal except the alert flyout
 * itself (the shortcuts walk it), so the exception and related-events flyouts count as modal.
 */
export function isModalOpen(doc: Pick<Document, 'querySelector'>): boolean {
  return doc.querySelector('.euiModal, [aria-modal="true"]:not([data-test-subj="alert-flyout"])') !== null;
}

/**
 * Whether a click on a table row should open its alert: not when it landed on a control of its own (checkbox,
 * link, button, an action's popover: `insideRow` false), nor when the analyst was selecting text to copy.
 */
export function isRowOpeningClick(target: TargetLike | null, insideRow: boolean, selectedText: string): boolean {
  // Clicks in a popover opened from the row bubble through React to the row but land outside it on the page.
  if (!target || !insideRow || selectedText.trim().length > 0) return false;
  return !target.closest?.('a, button, input, label, select, textarea, [role="button"], [role="checkbox"], [role="menuitem"], [data-row-click="ignore"]');
}
