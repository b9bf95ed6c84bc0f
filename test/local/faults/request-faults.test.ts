import { expect } from 'chai';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjection, RequestFault } from '../../../local/faults/injection';
import { cutShort } from '../../../local/faults/lambda-faults';
import { withRequestFaults } from '../../../local/faults/request-faults';
import type { InvokeOutcome } from '../../../local/lambda/outcome';
import { silentLog } from '../../../local/log';
import type { FunctionModel } from '../../../local/stack-model';

const SIGNED = (key: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

describe('the faults run request faults', () => {
  let server: Server;
  let port: number;
  let handled: string[];
  let next: RequestFault | undefined;

  before(async () => {
    const faults: FaultInjection = {
      request: () => next,
      invocation: () => undefined,
      delivery: () => undefined,
    };
    const handler = withRequestFaults(
      (req, res) => {
        handled.push(String(req.url));
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}'));
      },
      faults,
      silentLog(),
    );
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => (handled = []));
  after(() => new Promise((resolve) => server.close(resolve)));

  async function send(
    key: string,
    headers: Record<string, string>,
    url = '/',
  ): Promise<{ status: number; body: string }> {
    const answer = await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', body: '{}', headers });
    return { status: answer.status, body: await answer.text() };
  }
  const dynamodb = (key: string) => ({
    authorization: SIGNED(key, 'dynamodb'),
    'x-amz-target': 'DynamoDB_20120810.PutItem',
  });

  it("answers a function's DynamoDB request throttled, as DynamoDB does, without doing it", async () => {
    next = { kind: 'throttle', holdMs: 0 };
    const answer = await send('local', dynamodb('local'));
    expect(answer.status).to.equal(400);
    expect(JSON.parse(answer.body)).to.deep.include({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException' });
    expect(handled).to.deep.equal([]);
  });

  it('passes the requests of any other access key untouched', async () => {
    next = { kind: 'throttle', holdMs: 0 };
    expect(await send('faults-run', dynamodb('faults-run'))).to.deep.equal({ status: 200, body: '{"done":true}' });
    expect(handled).to.deep.equal(['/']);
  });

  it('answers an S3 request with an S3 error document', async () => {
    next = { kind: 'serverError', holdMs: 0 };
    const answer = await send('local', { authorization: SIGNED('local', 's3') }, '/photorepo/a.jpg');
    expect(answer.status).to.equal(500);
    expect(answer.body).to.contain('<Code>InternalError</Code>');
    expect(handled).to.deep.equal([]);
  });

  it('drops a timed-out request unanswered and undone', async () => {
    next = { kind: 'timeout', holdMs: 50 };
    const error = await send('local', dynamodb('local')).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(TypeError);
    expect(handled).to.deep.equal([]);
  });

  it('does the work of a request whose answer is lost, then drops the connection', async () => {
    next = { kind: 'lostAnswer', holdMs: 0 };
    const error = await send('local', dynamodb('local')).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(TypeError);
    expect(handled).to.deep.equal(['/']);
  });
});

describe('the faults run Lambda faults', () => {
  const fn = { name: 'GenerateThumbnail', timeoutSeconds: 30 } as FunctionModel;
  const answer: InvokeOutcome = { ok: true, payload: '{}', requestId: 'r', durationMs: 1 };

  it('kills the sandbox of a crashed invocation, which then fails as its runtime exited', async () => {
    let killed = 0;
    let exit!: (outcome: InvokeOutcome) => void;
    const running = new Promise<InvokeOutcome>((resolve) => (exit = resolve));
    const outcome = cutShort(
      running,
      { kind: 'crash', afterMs: 5 },
      {
        fn,
        requestId: 'r',
        started: Date.now(),
        kill: () => {
          killed += 1;
          exit({
            ok: false,
            error: { errorType: 'Runtime.ExitError', errorMessage: 'exited', trace: [] },
            requestId: 'r',
            durationMs: 5,
          });
        },
      },
    );
    expect(await outcome).to.deep.include({ ok: false });
    expect(((await outcome) as { error: { errorType: string } }).error.errorType).to.equal('Runtime.ExitError');
    expect(killed).to.equal(1);
  });

  it("answers a timed-out invocation with Lambda's Sandbox.Timedout at once", async () => {
    let killed = 0;
    const outcome = await cutShort(
      new Promise<InvokeOutcome>(() => undefined),
      { kind: 'timeout', afterMs: 5 },
      {
        fn,
        requestId: 'r',
        started: Date.now(),
        kill: () => (killed += 1),
      },
    );
    expect(outcome).to.deep.include({ ok: false });
    expect((outcome as { error: { errorType: string; errorMessage: string } }).error).to.deep.include({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: r Error: Task timed out after 30.00 seconds',
    });
    expect(killed).to.equal(1);
  });

  it('leaves alone an invocation that ends first', async () => {
    let killed = 0;
    const outcome = await cutShort(
      Promise.resolve(answer),
      { kind: 'crash', afterMs: 20 },
      {
        fn,
        requestId: 'r',
        started: Date.now(),
        kill: () => (killed += 1),
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(outcome).to.equal(answer);
    expect(killed).to.equal(0);
  });
});
