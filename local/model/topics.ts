import { resourcesOfType, type CfnTemplate } from '../template';
import { stringValue, type Resolve, type Resolver } from './intrinsics';
import { TemplateError } from './template-error';

/**
 * The template's SNS topics (AWS::SNS::Topic, with their inline Subscription list) and subscriptions
 * (AWS::SNS::Subscription, skipped when their Condition is false, as CloudFormation skips them).
 */
export interface SubscriptionModel {
  /** The AWS::SNS::Subscription's logical id; absent for a topic's inline subscription. */
  logicalId?: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope?: string;
  rawMessageDelivery: boolean;
}

export interface TopicModel {
  logicalId: string;
  name: string;
  arn: string;
  subscriptions: SubscriptionModel[];
}

export function topicModels(template: CfnTemplate, resolve: Resolve, resolver: Resolver): TopicModel[] {
  const topics = resourcesOfType(template, 'AWS::SNS::Topic').map(([logicalId, resource]): TopicModel => {
    const arn = resolver.arnOf(logicalId);
    const inline = (resolve(resource.Properties?.Subscription ?? [], `${logicalId}.Subscription`) ?? []) as Array<{
      Protocol?: unknown;
      Endpoint?: unknown;
    }>;
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      arn,
      subscriptions: inline.map((item) => ({
        topicArn: arn,
        protocol: stringValue(item.Protocol),
        endpoint: stringValue(item.Endpoint),
        rawMessageDelivery: false,
      })),
    };
  });
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SNS::Subscription')) {
    // Conditions are evaluated by the resolver (./service-intrinsics.ts), as for Fn::If.
    if (resource.Condition !== undefined && resolve({ Condition: resource.Condition }, logicalId) !== true) continue;
    const props = resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
    const topic = topics.find((candidate) => candidate.arn === props.TopicArn);
    if (!topic) throw new TemplateError(`${logicalId}.TopicArn names no AWS::SNS::Topic of the template`);
    topic.subscriptions.push({
      logicalId,
      topicArn: topic.arn,
      protocol: stringValue(props.Protocol),
      endpoint: stringValue(props.Endpoint),
      ...(props.FilterPolicy !== undefined ? { filterPolicy: jsonObject(props.FilterPolicy, logicalId) } : {}),
      ...(props.FilterPolicyScope !== undefined ? { filterPolicyScope: stringValue(props.FilterPolicyScope) } : {}),
      rawMessageDelivery: String(props.RawMessageDelivery) === 'true',
    });
  }
  return topics;
}

/** A FilterPolicy is a JSON object in the template, or its text. */
function jsonObject(value: unknown, where: string): Record<string, unknown> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new TemplateError(`${where}.FilterPolicy must be a JSON object`);
  return parsed as Record<string, unknown>;
}
