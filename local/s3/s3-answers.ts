import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

// Characters XML 1.0 cannot carry literally (keys may hold them): written as references, as S3 does.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** Answers to every S3 object read from the bucket: never sniffed, never a page with the stack's origin. */
export const OBJECT_ANSWER_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox',
};

/** S3's answers in its REST-XML protocol: documents and `<Error>` with a code, a message and details. */
export function xmlText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(CONTROL_CHARACTERS, (char) => `&#x${char.charCodeAt(0).toString(16)};`);
}

export function sendXml(
  res: ServerResponse,
  status: number,
  document: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${document}`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': randomUUID(),
  });
  res.end(body);
}

export function sendS3Error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Record<string, string> = {},
): void {
  const more = Object.entries(details)
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');
  sendXml(
    res,
    status,
    `<Error><Code>${code}</Code><Message>${xmlText(message)}</Message>${more}<RequestId>local</RequestId></Error>`,
  );
}
