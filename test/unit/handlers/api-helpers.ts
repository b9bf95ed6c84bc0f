import { expect } from 'chai';
import type { HttpResult } from '../../../functions/lib/api-handler';
import { eventFixture } from '../../support/aws-mocks';

/** The caller of the events/ API fixtures (their JWT `sub`), and a second user. */
export const ALICE = (eventFixture<any>('list-albums.json').requestContext.authorizer.jwt.claims.sub as string) ?? '';
export const BOB = '0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f';

export interface CallOptions {
  sub?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** An object is sent as JSON, a string as it is. */
  body?: unknown;
  /** Changes to the event after the options above are applied. */
  edit?: (event: any) => void;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  json: any;
}

type Handler = (event: unknown) => Promise<HttpResult>;

/** Invokes an API handler with its events/ fixture, changed as asked, and reads its answer. */
export async function call(handler: Handler, fixture: string, options: CallOptions = {}): Promise<Answer> {
  const event = eventFixture<any>(fixture);
  if (options.sub !== undefined) event.requestContext.authorizer.jwt.claims.sub = options.sub;
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  if (options.query) event.queryStringParameters = options.query;
  if (options.body !== undefined) {
    event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  options.edit?.(event);
  const result = await handler(event);
  return {
    status: result.statusCode,
    headers: result.headers,
    json: result.body === undefined ? undefined : JSON.parse(result.body),
  };
}

/** An error answer exactly as docs/api.md has it: `{error, message}` and nothing else. */
export function expectError(answer: Answer, status: number, error: string): void {
  expect(answer.status, JSON.stringify(answer.json)).to.equal(status);
  expect(Object.keys(answer.json ?? {}).sort()).to.deep.equal(['error', 'message']);
  expect(answer.json.error).to.equal(error);
  expect(answer.json.message).to.be.a('string').and.not.equal('');
}
