import { useCallback } from 'react';
import { useServices } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { useApiResource } from '../hooks/use-api-resource';
import { formatDateTime } from '../format';
import { newestFirst, type NotificationView } from '../notifications';
import { hrefOf } from '../route';

/**
 * The notifications of the user's photos. On the local stack, config.json names its inbox and they are listed here,
 * newest first; on AWS they go by e-mail to the NotificationEmail subscription, and this page says so.
 */
export function NotificationsPage() {
  const { config } = useServices();
  return (
    <>
      <p className="breadcrumbs">
        <a href={hrefOf({ page: 'albums' })}>Albums</a>
      </p>
      <PageHeading>Notifications</PageHeading>
      {config.inboxUrl === undefined ? <SentByEmail /> : <InboxList />}
    </>
  );
}

function SentByEmail() {
  return (
    <p>
      This stack sends its notifications by e-mail: one message per photo (done, unsupported or failed, with the faces,
      labels and moderation found) to the address its <code>NotificationEmail</code> parameter subscribes to the
      notification topic, once that address has confirmed the subscription. Other subscribers can be added to the topic
      with a filter policy. Only the local stack lists them here.
    </p>
  );
}

function InboxList() {
  const { api } = useServices();
  const load = useCallback(() => api.listNotifications(), [api]);
  const { state, reload } = useApiResource(load);
  const notifications = state.status === 'ok' ? newestFirst(state.value.notifications) : [];
  return (
    <section aria-labelledby="inbox-heading">
      <h2 id="inbox-heading" className="visually-hidden">
        Your notifications
      </h2>
      <div className="actions inbox-actions">
        <p role="status" className="poll-status">
          {state.status === 'loading'
            ? 'Loading notifications…'
            : state.status === 'ok'
              ? `${notifications.length} ${notifications.length === 1 ? 'notification' : 'notifications'}`
              : ''}
        </p>
        <button type="button" onClick={reload}>
          Check again
        </button>
      </div>
      {state.status === 'error' ? <ErrorMessage error={state.error} retry={reload} /> : null}
      {state.status === 'ok' && notifications.length === 0 ? (
        <p>
          {state.value.emailSubscriptions === 0
            ? 'No address is subscribed by e-mail to the notification topic, so nothing reaches the local inbox. ' +
              'Start the stack with npm start -- --parameter-overrides NotificationEmail=you@example.com.'
            : 'No notifications yet: one arrives when each photo you upload is done, unsupported or failed.'}
        </p>
      ) : null}
      <ol className="notifications">
        {notifications.map((notification) => (
          <NotificationItem key={notification.messageId} notification={notification} />
        ))}
      </ol>
    </section>
  );
}

function NotificationItem({ notification }: { notification: NotificationView }) {
  const headingId = `notification-${notification.messageId}`;
  return (
    <li className="notification">
      <article aria-labelledby={headingId}>
        <h3 id={headingId}>{notification.subject}</h3>
        <p className="notification-facts">
          {notification.status ? <StatusBadge status={notification.status} /> : null}
          <time dateTime={notification.time}>{formatDateTime(notification.time)}</time>
          {notification.faceDetected !== undefined ? (
            <span>{notification.faceDetected ? 'Face detected' : 'No face detected'}</span>
          ) : null}
          {notification.flagged ? <span className="badge badge-flagged">Flagged</span> : null}
        </p>
        {notification.imageId ? (
          <p>
            <a href={hrefOf({ page: 'photo', imageId: notification.imageId })}>
              Open {notification.fileName ?? 'the photo'}
            </a>
          </p>
        ) : null}
        <details>
          <summary>
            The message<span className="visually-hidden"> about {notification.fileName ?? notification.subject}</span>
          </summary>
          <pre>{notification.text}</pre>
        </details>
      </article>
    </li>
  );
}
