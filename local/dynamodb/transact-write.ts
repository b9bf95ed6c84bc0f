import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendAwsJsonError, sendJson } from '../http/respond';
import { messageOf, type StackLog } from '../log';

/**
 * dynalite has no TransactWriteItems. This module adds it in front of dynalite, with DynamoDB's all-or-nothing
 * meaning: every write of the stack (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) goes
 * through one queue, so nothing else writes while a transaction runs; a transaction first checks every
 * ConditionExpression against the current item, then, only if all hold, applies its writes in order.
 *
 * A condition is checked by dynalite itself, without changing anything: an existing item is put back unchanged under
 * the condition, an absent one is deleted (a no-op) under it; ConditionalCheckFailedException means it does not hold.
 * Reads are not queued: a GetItem or Query may see the first writes of a transaction before its last (AWS isolates
 * them; see docs/local-stack.md).
 */
export interface SerializedWrites {
  /** Handles the request (its body read) when it is a write, answering it later, and answers true; false leaves it to the caller. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
}

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const ACTIONS = ['ConditionCheck', 'Put', 'Update', 'Delete'] as const;
const MAX_ACTIONS = 100;
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

export function serializeWrites(options: { port: number; log: StackLog }): SerializedWrites {
  const dynalite = new Dynalite(options.port);
  const transactions = new Transactions(dynalite, options.log);
  let tail: Promise<void> = Promise.resolve();

  async function run(operation: string, raw: Buffer): Promise<Answer> {
    let body: Json;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Json;
    } catch {
      return error(400, 'SerializationException', 'The request body is not JSON');
    }
    try {
      return operation === 'TransactWriteItems' ? await transactions.run(body) : await dynalite.call(operation, body);
    } catch (failure) {
      if (failure instanceof Failed) return failure.answer;
      throw failure;
    }
  }

  return {
    handle(req, res, raw) {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      if (!WRITES.has(operation)) return false;
      const queued = tail.then(() => run(operation, raw));
      tail = queued.then(
        () => undefined,
        () => undefined,
      );
      queued.then(
        (answer) => sendJson(res, answer.status, answer.body, CONTENT_TYPE),
        (failure: unknown) => {
          options.log.line('dynamodb', `${operation} failed: ${messageOf(failure)}`);
          sendAwsJsonError(res, 500, `${ERROR_PREFIX}InternalServerError`, messageOf(failure), CONTENT_TYPE);
        },
      );
      return true;
    },
  };
}

/** Requests to dynalite, answered as status + JSON (dynalite checks the signature's shape, not its value). */
class Dynalite {
  private readonly keySchemas = new Map<string, string[]>();

  constructor(private readonly port: number) {}

  call(operation: string, body: unknown): Promise<Answer> {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': CONTENT_TYPE,
            'content-length': Buffer.byteLength(text),
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          },
        },
        (answer) => {
          void readBody(answer).then(
            (raw) =>
              resolve({
                status: answer.statusCode ?? 500,
                body: raw.length ? (JSON.parse(raw.toString()) as Json) : {},
              }),
            reject,
          );
        },
      );
      request.on('error', reject);
      request.end(text);
    });
  }

  /** The key attributes of an item (a Put names its item, not its key). */
  async keyOf(table: string, item: Json): Promise<Json> {
    let names = this.keySchemas.get(table);
    if (!names) {
      const described = await this.call('DescribeTable', { TableName: table });
      const schema = ((described.body.Table as Json | undefined)?.KeySchema ?? []) as { AttributeName: string }[];
      names = schema.map((key) => key.AttributeName);
      if (described.status === 200) this.keySchemas.set(table, names);
    }
    return Object.fromEntries(names.map((name) => [name, item[name]]));
  }
}

interface PlannedWrite {
  operation: string;
  action: Json;
  key: Json;
}

/** TransactWriteItems on dynalite; run only from the write queue, so nothing writes between check and apply. */
class Transactions {
  constructor(
    private readonly dynalite: Dynalite,
    private readonly log: StackLog,
  ) {}

  async run(body: Json): Promise<Answer> {
    const planned = await this.plan(body.TransactItems);
    if (!Array.isArray(planned)) return planned;
    const reasons: Json[] = [];
    for (const { action, key } of planned) reasons.push(await this.check(action, key));
    if (reasons.some((reason) => reason.Code !== 'None')) {
      const codes = reasons.map((reason) => reason.Code).join(', ');
      const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`;
      return error(400, 'TransactionCanceledException', message, { CancellationReasons: reasons });
    }
    // Every condition holds and nothing else writes until this is done: the writes cannot fail on a condition.
    for (const { operation, action } of planned) {
      if (operation === 'ConditionCheckItem') continue;
      const { ReturnValuesOnConditionCheckFailure: _ignored, ...write } = action;
      const answer = await this.dynalite.call(operation, write);
      if (answer.status !== 200) {
        this.log.line(
          'dynamodb',
          `TransactWriteItems stopped half-applied at ${operation}: ${JSON.stringify(answer.body)}`,
        );
        return answer;
      }
    }
    return { status: 200, body: {} };
  }

  /** The writes in order with the key each touches, or the ValidationException DynamoDB would answer. */
  private async plan(items: unknown): Promise<PlannedWrite[] | Answer> {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ACTIONS) {
      return validation(`TransactItems must hold 1 to ${MAX_ACTIONS} actions`);
    }
    const planned: PlannedWrite[] = [];
    const seen = new Set<string>();
    for (const entry of items as Json[]) {
      const kinds = ACTIONS.filter((kind) => entry?.[kind] !== undefined);
      if (kinds.length !== 1) return validation(`Each TransactItem must hold exactly one of ${ACTIONS.join(', ')}`);
      const kind = kinds[0] as (typeof ACTIONS)[number];
      const action = entry[kind] as Json;
      const table = String(action.TableName);
      const key =
        kind === 'Put' ? await this.dynalite.keyOf(table, (action.Item ?? {}) as Json) : ((action.Key ?? {}) as Json);
      const id = `${table}\n${JSON.stringify(key)}`;
      if (seen.has(id)) return validation('Transaction request cannot include multiple operations on one item');
      seen.add(id);
      planned.push({ operation: kind === 'Put' ? 'PutItem' : `${kind}Item`, action, key });
    }
    return planned;
  }

  /** Checks one action's condition without writing; answers its cancellation reason. */
  private async check(action: Json, key: Json): Promise<Json> {
    const condition = action.ConditionExpression;
    if (typeof condition !== 'string') return { Code: 'None' };
    const table = action.TableName;
    const current = await this.dynalite.call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    if (current.status !== 200) throw new Failed(current);
    const item = current.body.Item as Json | undefined;
    const probe = {
      TableName: table,
      ...(item ? { Item: item } : { Key: key }),
      ConditionExpression: condition,
      ...placeholdersOf(condition, action),
    };
    const answer = await this.dynalite.call(item ? 'PutItem' : 'DeleteItem', probe);
    if (answer.status === 200) return { Code: 'None' };
    if (!String(answer.body.__type).endsWith('ConditionalCheckFailedException')) throw new Failed(answer);
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(item && action.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: item } : {}),
    };
  }
}

/** A dynalite answer that ends the request as it is (a validation error, a missing table). */
class Failed extends Error {
  constructor(readonly answer: Answer) {
    super(String(answer.body.message ?? answer.body.Message ?? answer.body.__type));
  }
}

/** Only the #names and :values the condition uses: DynamoDB refuses unused ones. */
function placeholdersOf(condition: string, action: Json): Json {
  const pick = (all: unknown, prefix: '#' | ':') => {
    const used = new Set(condition.match(prefix === '#' ? /#[A-Za-z0-9_]+/g : /:[A-Za-z0-9_]+/g) ?? []);
    const entries = Object.entries((all ?? {}) as Json).filter(([name]) => used.has(name));
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  const names = pick(action.ExpressionAttributeNames, '#');
  const values = pick(action.ExpressionAttributeValues, ':');
  return {
    ...(names ? { ExpressionAttributeNames: names } : {}),
    ...(values ? { ExpressionAttributeValues: values } : {}),
  };
}

function validation(message: string): Answer {
  return error(400, 'ValidationException', message);
}

function error(status: number, type: string, message: string, extra: Json = {}): Answer {
  return { status, body: { __type: `${ERROR_PREFIX}${type}`, message, ...extra } };
}
