import { useState } from 'react';
import {
  EuiButtonEmpty,
  EuiFlexGroup,
  EuiFlexItem,
  EuiHeaderSectionItemButton,
  EuiIcon,
  EuiContextMenuItem,
  EuiNotificationBadge,
  EuiPopover,
  EuiPopoverFooter,
  EuiPopoverTitle,
  EuiText,
  EuiToolTip,
} from '@elastic/eui';
import type { Notification } from '@execwatch/api';
import { useNavigate } from 'react-router-dom';
import { formatRelative } from '../../../lib/format';
import { useMarkNotificationsReadMutation } from '../api/use-mark-notifications-read-mutation';
import { useNotificationsQuery } from '../api/use-notifications-query';

function describe(n: Notification): string {
  if (n.kind === 'mentioned') return `${n.actor} mentioned you: “${n.text}”`;
  return n.alerts_count === 1 ? `${n.actor} assigned you an alert: ${n.text}` : `${n.actor} assigned you ${n.alerts_count} alerts`;
}

/** The header's inbox: a bell with the unread count; what was assigned to me and where I was @mentioned. */
export function InboxButton() {
  const [open, setOpen] = useState(false);
  const inbox = useNotificationsQuery();
  const markRead = useMarkNotificationsReadMutation();
  const navigate = useNavigate();
  const unread = inbox.data?.unread ?? 0;
  const items = inbox.data?.notifications ?? [];
  const label = unread === 0 ? 'Inbox: nothing new' : `Inbox: ${unread} unread`;

  const openEntry = (n: Notification) => {
    if (!n.read) markRead.mutate({ ids: [n.id] });
    setOpen(false);
    if (n.alert_id) navigate(`/alerts?alert=${encodeURIComponent(n.alert_id)}`);
  };

  return (
    <EuiPopover
      isOpen={open}
      closePopover={() => setOpen(false)}
      anchorPosition="downRight"
      panelPaddingSize="none"
      panelProps={{ 'data-test-subj': 'inbox-panel' }}
      button={
        <EuiToolTip content={label} position="bottom">
          <EuiHeaderSectionItemButton aria-label={label} onClick={() => setOpen(!open)} data-test-subj="inbox-button" data-unread={unread}>
            <EuiIcon type="bell" color="ghost" />
            {unread > 0 && (
              <EuiNotificationBadge data-test-subj="inbox-badge">{unread > 99 ? '99+' : unread}</EuiNotificationBadge>
            )}
          </EuiHeaderSectionItemButton>
        </EuiToolTip>
      }
    >
      <div style={{ width: 380 }}>
        <EuiPopoverTitle paddingSize="s">Assigned to you and mentions</EuiPopoverTitle>
        {items.length === 0 ? (
          <EuiText size="s" color="subdued" style={{ padding: 12 }} data-test-subj="inbox-empty">
            <p>Nothing yet. Alerts assigned to you and notes that @mention you show here.</p>
          </EuiText>
        ) : (
          <div style={{ maxHeight: 360, overflowY: 'auto' }}>
            {items.map((n) => (
              <EuiContextMenuItem
                key={n.id}
                icon={<EuiIcon type={n.kind === 'mentioned' ? 'editorComment' : 'user'} color={n.read ? 'subdued' : 'primary'} />}
                onClick={() => openEntry(n)}
                data-test-subj="inbox-item"
                data-kind={n.kind}
                data-read={n.read ? 'true' : 'false'}
              >
                <EuiFlexGroup direction="column" gutterSize="none" responsive={false}>
                  <EuiFlexItem>
                    <span style={{ fontWeight: n.read ? 400 : 700, whiteSpace: 'normal' }}>{describe(n)}</span>
                  </EuiFlexItem>
                  <EuiFlexItem>
                    <EuiText size="xs" color="subdued">
                      {formatRelative(n.created_at)}
                      {n.read ? '' : ' · unread'}
                    </EuiText>
                  </EuiFlexItem>
                </EuiFlexGroup>
              </EuiContextMenuItem>
            ))}
          </div>
        )}
        <EuiPopoverFooter paddingSize="s">
          <EuiButtonEmpty size="xs" iconType="check" isDisabled={unread === 0} isLoading={markRead.isPending} onClick={() => markRead.mutate({ all: true })} data-test-subj="inbox-mark-all-read">
            Mark all as read
          </EuiButtonEmpty>
        </EuiPopoverFooter>
      </div>
    </EuiPopover>
  );
}
