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
    if (resource.Condition !== undefined && !conditionHolds(template, resource.Condition, resolve)) continue;
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

/** Evaluates a Conditions entry: Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition over resolved values. */
export function conditionHolds(template: CfnTemplate, name: string, resolve: Resolve): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new TemplateError(`No condition named ${name}`);
  return evaluate(template, condition, resolve, `Conditions.${name}`);
}

function evaluate(template: CfnTemplate, value: unknown, resolve: Resolve, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  const [key, argument] = Object.entries((value ?? {}) as Record<string, unknown>)[0] ?? [];
  const items = Array.isArray(argument) ? argument : [argument];
  switch (key) {
    case 'Fn::Equals':
      return stringValue(resolve(items[0], where)) === stringValue(resolve(items[1], where));
    case 'Fn::Not':
      return !evaluate(template, items[0], resolve, where);
    case 'Fn::And':
      return items.every((item) => evaluate(template, item, resolve, where));
    case 'Fn::Or':
      return items.some((item) => evaluate(template, item, resolve, where));
    case 'Condition':
      return conditionHolds(template, String(argument), resolve);
    default:
      throw new TemplateError(`${where}: ${key ?? JSON.stringify(value)} is not a condition function`);
  }
}
