import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * AWS's query protocol as SNS speaks it (and @aws-sdk/client-sns 3.x, whose protocol is AwsQueryProtocol): a form
 * body `Action=Publish&Version=2010-03-31&...` with maps flattened as `Name.entry.N.key`, answered in XML
 * (`<PublishResponse><PublishResult>...</PublishResult><ResponseMetadata>...`), errors as `<ErrorResponse>`.
 */
export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Wire codes whose exception class is not `<code>Exception` (the SDK's awsQueryError traits). */
const EXCEPTION_OF: Record<string, string> = { ParameterValueInvalid: 'InvalidParameterValueException' };

/** An SNS error: `code` is the wire code (NotFound), which the SDK maps to its class (`name`, NotFoundException). */
export class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = EXCEPTION_OF[code] ?? `${code}Exception`;
  }
}

export const invalidParameter = (message: string): SnsError =>
  new SnsError('InvalidParameter', `Invalid parameter: ${message}`);
export const invalidParameterValue = (message: string): SnsError => new SnsError('ParameterValueInvalid', message);
export const notFound = (message: string): SnsError => new SnsError('NotFound', message, 404);

export type QueryParams = URLSearchParams;

/** `Prefix.entry.N.<field>` groups, N from 1, as the SDK numbers them. */
export function entries(params: QueryParams, prefix: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const [key, value] of params) {
    const match = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.entry\\.(\\d+)\\.(.+)$`).exec(key);
    if (!match) continue;
    const index = Number(match[1]) - 1;
    found[index] = { ...found[index], [match[2] as string]: value };
  }
  return found.filter(Boolean);
}

/** `Prefix.entry.N.key` / `.value` pairs as an object. */
export function mapParam(params: QueryParams, prefix: string): Record<string, string> {
  return Object.fromEntries(entries(params, prefix).map((entry) => [entry.key ?? '', entry.value ?? '']));
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);
}

/** A value as XML: strings escaped, arrays of members, objects of named elements. */
export type XmlValue = string | number | boolean | XmlValue[] | { [element: string]: XmlValue | undefined };

export function toXml(value: XmlValue): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([name, item]) => `<${name}>${toXml(item as XmlValue)}</${name}>`)
      .join('');
  return escapeXml(String(value));
}

/** `{a: 'b'}` as SNS writes an attribute map: `<entry><key>a</key><value>b</value></entry>`. */
export function xmlMap(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([key, value]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(value)}</value></entry>`)
    .join('');
}

export function sendResult(res: ServerResponse, action: string, resultXml: string | undefined): void {
  const requestId = randomUUID();
  const result = resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`;
  const body = `<?xml version="1.0"?>\n<${action}Response xmlns="${SNS_XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  send(res, 200, body, requestId);
}

export function sendError(res: ServerResponse, error: SnsError): void {
  const requestId = randomUUID();
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body = `<?xml version="1.0"?>\n<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  send(res, error.status, body, requestId);
}

function send(res: ServerResponse, status: number, body: string, requestId: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}
