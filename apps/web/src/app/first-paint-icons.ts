import { appendIconComponentCache } from '@elastic/eui/es/components/icon/icon';
import { icon as calendar } from '@elastic/eui/es/components/icon/assets/calendar';
import { icon as magnify } from '@elastic/eui/es/components/icon/assets/magnify';
import { icon as push } from '@elastic/eui/es/components/icon/assets/push';
import { icon as refresh } from '@elastic/eui/es/components/icon/assets/refresh';

/**
 * EUI loads each icon on first use, and shows an empty box until it arrives. The alerts page's header
 * (date picker's calendar, the filled "Refresh" button, the search field) is on screen at once, so its
 * icons ship with the first page instead.
 */
export function registerFirstPaintIcons(): void {
  appendIconComponentCache({ calendar, refresh, push, search: magnify, magnify });
}
