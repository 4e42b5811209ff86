import { describe, expect, it } from 'vitest';
import { isRowOpeningClick, isTypingTarget, shortcutFor, type KeyLike, type TargetLike } from './keyboard-shortcuts';

/** A stand-in for a DOM element: a tag, attributes, and the selectors its ancestors (itself included) match. */
function el(tagName: string, options: { type?: string; role?: string; editable?: boolean; within?: string[] } = {}): TargetLike {
  const attributes: Record<string, string> = options.role ? { role: options.role } : {};
  return {
    tagName,
    type: options.type,
    isContentEditable: options.editable ?? false,
    getAttribute: (name) => attributes[name] ?? null,
    closest: (selector) => (selector.split(',').map((s) => s.trim()).some((s) => (options.within ?? []).includes(s)) ? {} : null),
  };
}

function key(k: string, target: TargetLike | null = el('BODY'), extra: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, target, ...extra };
}

describe('isTypingTarget', () => {
  it.each([
    ['a text input', el('INPUT', { type: 'text' })],
    ['an input without a type', el('INPUT')],
    ['a search input', el('INPUT', { type: 'search' })],
    ['a textarea', el('TEXTAREA')],
    ['a select', el('SELECT')],
    ['a contenteditable', el('DIV', { editable: true })],
    ['a combobox role', el('DIV', { role: 'combobox' })],
    ['inside an EUI combo box', el('SPAN', { within: ['.euiComboBox'] })],
  ])('is typing in %s', (_name, target) => {
    expect(isTypingTarget(target)).toBe(true);
  });

  it.each([
    ['the page', el('BODY')],
    ['a checkbox', el('INPUT', { type: 'checkbox' })],
    ['a radio', el('INPUT', { type: 'radio' })],
    ['a button', el('BUTTON')],
    ['a table row', el('TR')],
    ['nothing', null],
  ])('is not typing on %s', (_name, target) => {
    expect(isTypingTarget(target)).toBe(false);
  });
});

describe('shortcutFor', () => {
  it('maps the keys', () => {
    expect(shortcutFor(key('j'), false)).toBe('next');
    expect(shortcutFor(key('k'), false)).toBe('previous');
    expect(shortcutFor(key('Enter'), false)).toBe('open');
    expect(shortcutFor(key('a'), false)).toBe('acknowledge');
    expect(shortcutFor(key('c'), false)).toBe('close');
    expect(shortcutFor(key('?'), false)).toBe('help');
    expect(shortcutFor(key('x'), false)).toBeNull();
  });

  it('never fires while typing, "?" included', () => {
    const input = el('INPUT', { type: 'text' });
    for (const k of ['j', 'k', 'Enter', 'a', 'c', '?']) expect(shortcutFor(key(k, input), false)).toBeNull();
    expect(shortcutFor(key('j', el('TEXTAREA')), false)).toBeNull();
  });

  it('leaves modified keys to the browser', () => {
    expect(shortcutFor(key('c', el('BODY'), { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key('a', el('BODY'), { metaKey: true }), false)).toBeNull();
    expect(shortcutFor(key('j', el('BODY'), { altKey: true }), false)).toBeNull();
  });

  it('under a modal dialog only "?" works', () => {
    expect(shortcutFor(key('j'), true)).toBeNull();
    expect(shortcutFor(key('a'), true)).toBeNull();
    expect(shortcutFor(key('?'), true)).toBe('help');
  });

  it('leaves Enter on a focused button or link to that control', () => {
    expect(shortcutFor(key('Enter', el('BUTTON', { within: ['button'] })), false)).toBeNull();
    expect(shortcutFor(key('Enter', el('SPAN', { within: ['a'] })), false)).toBeNull();
    expect(shortcutFor(key('j', el('BUTTON', { within: ['button'] })), false)).toBe('next');
  });

  it('does not repeat actions when a key is held', () => {
    expect(shortcutFor(key('a', el('BODY'), { repeat: true }), false)).toBeNull();
    expect(shortcutFor(key('j', el('BODY'), { repeat: true }), false)).toBe('next');
  });
});

describe('isRowOpeningClick', () => {
  it('opens on a plain cell', () => {
    expect(isRowOpeningClick(el('TD'), true, '')).toBe(true);
  });
  it.each(['a', 'button', 'input', 'label', '[role="checkbox"]'])('not on %s inside the row', (selector) => {
    expect(isRowOpeningClick(el('SPAN', { within: [selector] }), true, '')).toBe(false);
  });
  it('not from a popover outside the row, nor while selecting text', () => {
    expect(isRowOpeningClick(el('TD'), false, '')).toBe(false);
    expect(isRowOpeningClick(el('TD'), true, 'kube-system')).toBe(false);
  });
});
