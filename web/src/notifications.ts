import type { ImageStatus } from '../../functions/lib/image-item';
import type { InboxNotification } from './api/types';

/**
 * A notification as the page shows it: its subject and time, the outcome and the photo it is about, read from the
 * message attributes NotifyResult publishes (README, "Notifications"). An attribute that is absent or not one of its
 * values is left out rather than guessed.
 */
export interface NotificationView {
  messageId: string;
  time: string;
  subject: string;
  text: string;
  status?: Exclude<ImageStatus, 'PROCESSING'>;
  imageId?: string;
  fileName?: string;
  albumId?: string;
  /** true or false when moderation ran; undefined when it did not ('unknown'). */
  flagged?: boolean;
  faceDetected?: boolean;
}

const STATUSES = new Set<string>(['SUCCEEDED', 'UNSUPPORTED', 'FAILED']);

export function notificationView(notification: InboxNotification): NotificationView {
  const { attributes } = notification;
  const text = (name: string) => (attributes[name] ? { [name]: attributes[name] } : {});
  const flag = (name: 'flagged' | 'faceDetected') =>
    attributes[name] === 'true' ? { [name]: true } : attributes[name] === 'false' ? { [name]: false } : {};
  return {
    messageId: notification.messageId,
    time: notification.time,
    subject: notification.subject,
    text: notification.text,
    ...(STATUSES.has(attributes.status ?? '') ? { status: attributes.status as NotificationView['status'] } : {}),
    ...text('imageId'),
    ...text('fileName'),
    ...text('albumId'),
    ...flag('flagged'),
    ...flag('faceDetected'),
  };
}

/** Newest first (the inbox answers so already; a list merged from several reads stays in order). */
export function newestFirst(notifications: readonly InboxNotification[]): NotificationView[] {
  return notifications.map(notificationView).sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}
