import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { notificationTopicArn } from '../config';
import type { Notification, NotificationPublisher } from '../notification';
import { snsClient } from './sns-client';
import { callAws } from './transient';

/**
 * NotificationPublisher on the NotificationTopic: one Publish with the subject, the message and the attributes
 * subscribers filter on, the same three NotifyResult passes to `arn:aws:states:::sns:publish`.
 */
export class SnsNotifications implements NotificationPublisher {
  constructor(
    private readonly sns: () => SNSClient,
    private readonly topicArn: () => string,
  ) {}

  async publish(notification: Notification): Promise<void> {
    await callAws('Publishing the outcome', () =>
      this.sns().send(
        new PublishCommand({
          TopicArn: this.topicArn(),
          Subject: notification.subject,
          Message: notification.message,
          MessageAttributes: notification.attributes,
        }),
      ),
    );
  }
}

export const notificationPublisher = new SnsNotifications(snsClient, notificationTopicArn);
