import { invalidParameter, invalidParameterValue, entries, type QueryParams } from './query-protocol';

/** A Publish request as SNS validates it, from the query protocol or from a Step Functions task's Parameters. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as on the wire. */
  BinaryValue?: string;
}

export interface PublishInput {
  topicArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  messageAttributes: Record<string, MessageAttribute>;
}

const MAX_MESSAGE_BYTES = 256 * 1024;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[\w.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary|String\.Array)(\.[\w.-]+)?$/;

export function checkTopicArn(topicArn: unknown, parameter = 'TopicArn'): string {
  if (typeof topicArn !== 'string' || topicArn === '')
    throw invalidParameter(`${parameter} or TargetArn Reason: no value for required parameter`);
  if (!TOPIC_ARN.test(topicArn)) throw invalidParameter(`${parameter}`);
  return topicArn;
}

/** Validates like SNS: a message, a subject SNS can put in an e-mail header, typed attributes with values. */
export function checkPublish(input: {
  topicArn: unknown;
  message: unknown;
  subject?: unknown;
  messageStructure?: unknown;
  messageAttributes?: Record<string, unknown>;
}): PublishInput {
  const topicArn = checkTopicArn(input.topicArn);
  // Step Functions sends a Message given as JSON as its text, as AWS's integration does.
  const message = typeof input.message === 'string' ? input.message : JSON.stringify(input.message ?? '');
  if (message === '' || message === '""') throw invalidParameter('Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const subject = input.subject === undefined || input.subject === null ? undefined : String(input.subject);
  // SNS: ASCII that begins with a letter, number or punctuation mark, no line breaks or control characters, < 100.
  if (subject !== undefined && (subject.length >= 100 || !/^[\x21-\x7e][\x20-\x7e]*$/.test(subject)))
    throw invalidParameter('Subject');
  const messageStructure =
    input.messageStructure === undefined || input.messageStructure === null
      ? undefined
      : String(input.messageStructure);
  if (messageStructure !== undefined) checkStructure(messageStructure, message);
  const messageAttributes = Object.fromEntries(
    Object.entries(input.messageAttributes ?? {}).map(([name, value]) => [name, checkAttribute(name, value)]),
  );
  return {
    topicArn,
    message,
    ...(subject !== undefined ? { subject } : {}),
    ...(messageStructure !== undefined ? { messageStructure } : {}),
    messageAttributes,
  };
}

function checkStructure(structure: string, message: string): void {
  if (structure !== 'json') throw invalidParameter('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { default?: unknown }).default !== 'string')
    throw invalidParameter('Message Structure - No default entry in JSON message body');
}

function checkAttribute(name: string, value: unknown): MessageAttribute {
  if (!ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name))
    throw invalidParameterValue(`The message attribute name '${name}' is invalid.`);
  const attribute = (value ?? {}) as Partial<MessageAttribute>;
  const type = attribute.DataType;
  if (typeof type !== 'string' || !DATA_TYPE.test(type))
    throw invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type.`);
  const binary = type.startsWith('Binary');
  const text = binary ? attribute.BinaryValue : attribute.StringValue;
  if (typeof text !== 'string' || text === '')
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split('.')[0]}'.`,
    );
  if (type.startsWith('Number') && !Number.isFinite(Number(text)))
    throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
  if (type.startsWith('String.Array') && !Array.isArray(safeJson(text)))
    throw invalidParameterValue(`The message attribute '${name}' with type 'String.Array' must be a JSON array.`);
  return binary ? { DataType: type, BinaryValue: text } : { DataType: type, StringValue: text };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The query protocol's `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` groups. */
export function messageAttributesParam(params: QueryParams): Record<string, unknown> {
  return Object.fromEntries(
    entries(params, 'MessageAttributes').map((entry) => [
      entry.Name ?? '',
      {
        DataType: entry['Value.DataType'],
        ...(entry['Value.StringValue'] !== undefined ? { StringValue: entry['Value.StringValue'] } : {}),
        ...(entry['Value.BinaryValue'] !== undefined ? { BinaryValue: entry['Value.BinaryValue'] } : {}),
      },
    ]),
  );
}

/** Attributes as a filter policy sees them: strings, numbers, arrays (binary attributes are not matched). */
export function filterableAttributes(attributes: Record<string, MessageAttribute>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).flatMap(([name, attribute]): Array<[string, unknown]> => {
      if (attribute.DataType.startsWith('Binary')) return [];
      const text = attribute.StringValue ?? '';
      if (attribute.DataType.startsWith('Number')) return [[name, Number(text)]];
      if (attribute.DataType.startsWith('String.Array')) return [[name, safeJson(text)]];
      return [[name, text]];
    }),
  );
}
