import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/respond';
import { messageOf, type StackLog } from '../log';
import type { Subscription } from './delivery';
import { messageAttributesParam } from './messages';
import { mapParam, sendError, sendResult, SnsError, toXml, xmlMap, type QueryParams } from './query-protocol';
import type { SnsService } from './sns-service';

/**
 * The SNS API on the stack's endpoint (requests signed for `sns`): Publish, ListTopics, Subscribe, Unsubscribe,
 * ListSubscriptions, ListSubscriptionsByTopic, GetTopicAttributes and GetSubscriptionAttributes, in the query
 * protocol (./query-protocol.ts) that @aws-sdk/client-sns and the AWS CLI speak. Lists come in one page.
 */
type Action = (service: SnsService, params: QueryParams) => string | undefined;

const subscriptionXml = (subscription: Subscription): string =>
  toXml({
    SubscriptionArn: subscription.arn,
    Owner: subscription.topicArn.split(':')[4] ?? '',
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    TopicArn: subscription.topicArn,
  });
const subscriptionsXml = (list: Subscription[]): string =>
  `<Subscriptions>${list.map((item) => `<member>${subscriptionXml(item)}</member>`).join('')}</Subscriptions>`;

const ACTIONS: Record<string, Action> = {
  Publish: (service, params) =>
    toXml({
      MessageId: service.publish({
        topicArn: params.get('TopicArn') ?? params.get('TargetArn'),
        message: params.get('Message'),
        subject: params.get('Subject') ?? undefined,
        messageStructure: params.get('MessageStructure') ?? undefined,
        messageAttributes: messageAttributesParam(params),
      }).messageId,
    }),
  ListTopics: (service) => `<Topics>${toXml(service.topics().map((topic) => ({ TopicArn: topic.arn })))}</Topics>`,
  Subscribe: (service, params) =>
    toXml({
      SubscriptionArn: service.subscribe(
        params.get('TopicArn'),
        params.get('Protocol'),
        params.get('Endpoint'),
        mapParam(params, 'Attributes'),
      ).arn,
    }),
  Unsubscribe: (service, params) => {
    service.unsubscribe(params.get('SubscriptionArn'));
    return undefined;
  },
  ListSubscriptions: (service) => subscriptionsXml(service.subscriptions()),
  ListSubscriptionsByTopic: (service, params) => subscriptionsXml(service.subscriptions(params.get('TopicArn'))),
  GetTopicAttributes: (service, params) =>
    `<Attributes>${xmlMap(service.topicAttributes(params.get('TopicArn')))}</Attributes>`,
  GetSubscriptionAttributes: (service, params) => {
    const arn = params.get('SubscriptionArn');
    const found = service.subscriptions().find((item) => item.arn === arn);
    if (!found) throw new SnsError('NotFound', 'Subscription does not exist', 404);
    return `<Attributes>${xmlMap({
      SubscriptionArn: found.arn,
      TopicArn: found.topicArn,
      Protocol: found.protocol,
      Endpoint: found.endpoint,
      Owner: found.topicArn.split(':')[4] ?? '',
      ConfirmationWasAuthenticated: 'true',
      PendingConfirmation: 'false',
      RawMessageDelivery: String(found.rawMessageDelivery),
      ...(found.filterPolicy ? { FilterPolicy: JSON.stringify(found.filterPolicy) } : {}),
      ...(found.filterPolicyScope ? { FilterPolicyScope: found.filterPolicyScope } : {}),
    })}</Attributes>`;
  },
};

export function handleSnsApi(req: IncomingMessage, res: ServerResponse, service: SnsService, log: StackLog): void {
  void (async () => {
    let action = '';
    try {
      const body = (await readBody(req, 1024 * 1024)).toString('utf8');
      const params = new URLSearchParams(body);
      for (const [key, value] of new URLSearchParams((req.url ?? '').split('?')[1] ?? ''))
        if (!params.has(key)) params.set(key, value);
      action = params.get('Action') ?? '';
      const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
      if (!run)
        throw new SnsError(
          'InvalidAction',
          `The action ${action || '(none)'} is not valid for this endpoint (the local SNS serves ${Object.keys(ACTIONS).join(', ')}).`,
        );
      sendResult(res, action, run(service, params));
    } catch (error) {
      if (error instanceof SnsError) return sendError(res, error);
      log.line('sns', `${action || 'request'} failed: ${messageOf(error)}`);
      sendError(res, new SnsError('InternalError', `The local SNS failed: ${messageOf(error)}`, 500));
    }
  })();
}
