import { useLayoutEffect, useMemo, useState } from 'react';
import { EuiFormRow, EuiHeaderSectionItemButton, EuiIcon, EuiPopover, EuiPopoverTitle, EuiSelect, EuiText } from '@elastic/eui';
import { browserTimeZone, formatTime } from '../../../lib/format';
import { useMe } from '../../auth/components/abilities-context';
import {
  applyTimeZonePreference,
  browserStorage,
  readTimeZonePreference,
  timeZoneChoices,
  useDisplayTimeZone,
  writeTimeZonePreference,
  type TimeZonePreference,
} from '../time-zone';

const BROWSER = '__browser__';

/** The zone's short name as times show it (`UTC`, `GMT+9`, `EST`). */
function shortZoneName(zone: string | undefined): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(Date.now()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone ?? '';
}

/**
 * The header's time zone control: every time in the app is shown in the zone chosen here (the browser's, UTC,
 * or a named zone), remembered per user on this browser.
 */
export function TimeZoneMenu() {
  const me = useMe();
  const username = me.user.username;
  const [preference, setPreference] = useState<TimeZonePreference>(() => {
    const saved = readTimeZonePreference(browserStorage(), username);
    // Applied while rendering the header, so the pages below render in the saved zone from their first paint.
    applyTimeZonePreference(saved);
    return saved;
  });
  useLayoutEffect(() => {
    const saved = readTimeZonePreference(browserStorage(), username);
    setPreference(saved);
    applyTimeZonePreference(saved);
  }, [username]);
  const zone = useDisplayTimeZone();
  const [open, setOpen] = useState(false);
  const browserZone = browserTimeZone();
  const options = useMemo(
    () => [{ value: BROWSER, text: `Browser default (${browserZone})` }, ...timeZoneChoices().map((z) => ({ value: z, text: z }))],
    [browserZone],
  );

  const choose = (value: string) => {
    const next: TimeZonePreference = value === BROWSER ? { kind: 'browser' } : { kind: 'named', zone: value };
    setPreference(next);
    writeTimeZonePreference(browserStorage(), username, next);
    applyTimeZonePreference(next);
  };

  const label = shortZoneName(zone);
  return (
    <EuiPopover
      isOpen={open}
      closePopover={() => setOpen(false)}
      anchorPosition="downRight"
      button={
        <EuiHeaderSectionItemButton
          onClick={() => setOpen(!open)}
          aria-label={`Time zone: ${zone ?? `browser default (${browserZone})`}. Change the time zone`}
          title="Time zone of every time shown"
          data-test-subj="time-zone-menu"
        >
          <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
            <EuiIcon type="clock" size="s" color="ghost" aria-hidden />
            <EuiText size="xs" color="ghost" component="span">
              {label}
            </EuiText>
          </span>
        </EuiHeaderSectionItemButton>
      }
    >
      <EuiPopoverTitle paddingSize="s">Time zone</EuiPopoverTitle>
      <div style={{ width: 300 }}>
        <EuiFormRow label="Show times in" helpText={`Now: ${formatTime(Date.now())}`} fullWidth>
          <EuiSelect
            fullWidth
            compressed
            options={options}
            value={preference.kind === 'browser' ? BROWSER : preference.zone}
            onChange={(e) => choose(e.target.value)}
            data-test-subj="time-zone-select"
            aria-label="Time zone"
          />
        </EuiFormRow>
      </div>
    </EuiPopover>
  );
}
