import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP endpoint that answers the few AWS calls the handlers make, for bundles run with
 * AWS_ENDPOINT_URL pointing here. A bundle carries its own copy of the SDK, so aws-sdk-client-mock on the
 * repository's clients cannot reach it; this fake sits on the wire instead, where every copy of the SDK meets.
 * JSON protocol services (DynamoDB, Step Functions, Rekognition) are told apart by X-Amz-Target; SNS speaks the query
 * protocol (a form with Action=, XML answers); S3 is path-style REST (AWS_S3_FORCE_PATH_STYLE=true, as the local
 * stack sets it).
 */
export interface AwsCall {
  service: 'dynamodb' | 'sfn' | 'rekognition' | 's3' | 'sns';
  /** X-Amz-Target's operation (PutItem, ...) or the S3 operation (GetObject, HeadObject, PutObject, ListObjectVersions, DeleteObjects). */
  operation: string;
  /** The decoded JSON request of the JSON protocols, or the form of the query protocol. */
  input?: Record<string, unknown>;
  bucket?: string;
  key?: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakeReply {
  status: number;
  /** JSON body, sent as application/x-amz-json-1.x. */
  json?: unknown;
  /** S3 error code, sent as the XML error document S3 answers with. */
  s3ErrorCode?: string;
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
  lastModified: Date;
}

type Override = (call: AwsCall) => FakeReply | undefined;

const JSON_TARGETS: Record<string, AwsCall['service']> = {
  DynamoDB_20120810: 'dynamodb',
  AWSStepFunctions: 'sfn',
  RekognitionService: 'rekognition',
};

export class FakeAws {
  readonly calls: AwsCall[] = [];
  readonly objects = new Map<string, StoredObject>();
  private overrides: Override[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  reset(): void {
    this.calls.length = 0;
    this.objects.clear();
    this.overrides = [];
  }

  putObject(bucket: string, key: string, body: Buffer, contentType: string): void {
    this.objects.set(`${bucket}/${key}`, { body, contentType, lastModified: new Date('2026-11-22T10:15:30Z') });
  }

  /** Answer matching calls differently (an error, a throttle) until reset(). */
  override(match: Override): void {
    this.overrides.push(match);
  }

  callsTo(service: AwsCall['service'], operation?: string): AwsCall[] {
    return this.calls.filter((c) => c.service === service && (!operation || c.operation === operation));
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    let call: AwsCall;
    try {
      call = this.describe(req, body);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      return void res.end(JSON.stringify({ __type: 'UnknownOperationException', message: (error as Error).message }));
    }
    this.calls.push(call);
    const reply = this.overrides.map((o) => o(call)).find((r) => r !== undefined);
    if (call.service === 's3') return this.answerS3(req, res, call, reply);
    if (call.service === 'sns') return this.answerSns(res, call, reply);
    const status = reply?.status ?? 200;
    const json = reply?.json ?? this.defaultJson(call);
    res.writeHead(status, { 'content-type': `application/x-amz-json-${call.service === 'dynamodb' ? '1.0' : '1.1'}` });
    res.end(JSON.stringify(json));
  }

  private describe(req: IncomingMessage, body: Buffer): AwsCall {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const [prefix = '', operation = ''] = target.split('.');
      const service = JSON_TARGETS[prefix];
      if (!service) throw new Error(`FakeAws does not know X-Amz-Target ${target}`);
      return { service, operation, input: JSON.parse(body.toString('utf8') || '{}'), headers: req.headers, body };
    }
    if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      return { service: 'sns', operation: form.Action ?? '', input: form, headers: req.headers, body };
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const operation = url.searchParams.has('versions')
      ? 'ListObjectVersions'
      : url.searchParams.has('delete')
        ? 'DeleteObjects'
        : ({ GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject' }[req.method ?? ''] ?? `S3 ${req.method}`);
    return {
      service: 's3',
      operation,
      bucket: decodeURIComponent(bucket),
      // Bucket operations name their objects in the query (a prefix) or the body (keys to delete).
      key: url.searchParams.get('prefix') ?? rest.map(decodeURIComponent).join('/'),
      headers: req.headers,
      body,
    };
  }

  /** Publish answers a message id, as SNS's query protocol does; an override's status answers an SNS error. */
  private answerSns(res: ServerResponse, call: AwsCall, reply: FakeReply | undefined): void {
    res.writeHead(reply?.status ?? 200, { 'content-type': 'text/xml' });
    if (reply && reply.status >= 400) {
      return void res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code></Error></ErrorResponse>`,
      );
    }
    const result =
      call.operation === 'Publish'
        ? `<PublishResult><MessageId>fake-${this.calls.length}</MessageId></PublishResult>`
        : '';
    res.end(
      `<${call.operation}Response>${result}<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${call.operation}Response>`,
    );
  }

  private defaultJson(call: AwsCall): unknown {
    switch (`${call.service}.${call.operation}`) {
      case 'sfn.StartExecution':
        return {
          executionArn: `${String(call.input?.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(call.input?.name)}`,
          startDate: 1_795_000_000,
        };
      case 'rekognition.DetectFaces':
        return {
          FaceDetails: [
            {
              Confidence: 99.9,
              BoundingBox: { Left: 0.2, Top: 0.1, Width: 0.1, Height: 0.15 },
              Emotions: [{ Type: 'HAPPY', Confidence: 93.1 }],
            },
            { Confidence: 99.1, BoundingBox: { Left: 0.6, Top: 0.1, Width: 0.1, Height: 0.15 } },
          ],
        };
      case 'rekognition.DetectModerationLabels':
        return {
          ModerationModelVersion: '7.0',
          ModerationLabels: [{ Name: 'Weapons', ParentName: 'Violence', Confidence: 88.2, TaxonomyLevel: 2 }],
        };
      case 'rekognition.DetectLabels':
        return {
          LabelModelVersion: '3.0',
          Labels: [
            { Name: 'Outdoors', Confidence: 98.2, Parents: [], Instances: [] },
            {
              Name: 'Castle',
              Confidence: 81.5,
              Parents: [{ Name: 'Building' }, { Name: 'Architecture' }],
              Instances: [{ Confidence: 81.5, BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 } }],
            },
          ],
        };
      default:
        return {};
    }
  }

  /** Every stored object is its one version, `null`; DeleteObjects removes the keys its body names. */
  private answerVersions(res: ServerResponse, call: AwsCall): void {
    const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    let body: string;
    if (call.operation === 'DeleteObjects') {
      const keys = [...call.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
        (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      );
      for (const key of keys) this.objects.delete(`${call.bucket}/${key}`);
      body = `<DeleteResult>${keys.map((key) => `<Deleted><Key>${xml(key)}</Key><VersionId>null</VersionId></Deleted>`).join('')}</DeleteResult>`;
    } else {
      const prefix = `${call.bucket}/${call.key ?? ''}`;
      const versions = [...this.objects.keys()]
        .filter((id) => id.startsWith(prefix))
        .map(
          (id) =>
            `<Version><Key>${xml(id.slice(String(call.bucket).length + 1))}</Key><VersionId>null</VersionId><IsLatest>true</IsLatest></Version>`,
        );
      body = `<ListVersionsResult><Name>${xml(String(call.bucket))}</Name><IsTruncated>false</IsTruncated>${versions.join('')}</ListVersionsResult>`;
    }
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(body);
  }

  private answerS3(req: IncomingMessage, res: ServerResponse, call: AwsCall, reply: FakeReply | undefined): void {
    const s3Error = (status: number, code: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
      );
    };
    if (reply) return s3Error(reply.status, reply.s3ErrorCode ?? 'InternalError');
    if (call.operation === 'ListObjectVersions' || call.operation === 'DeleteObjects')
      return this.answerVersions(res, call);
    const id = `${call.bucket}/${call.key}`;
    if (call.operation === 'PutObject') {
      this.objects.set(id, {
        body: call.body,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        lastModified: new Date(),
      });
      res.writeHead(200, { etag: '"fake-etag"' });
      return void res.end();
    }
    const object = this.objects.get(id);
    if (!object) return s3Error(404, req.method === 'HEAD' ? 'NotFound' : 'NoSuchKey');
    const headers = {
      'content-type': object.contentType,
      etag: '"fake-etag"',
      'last-modified': object.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (req.method === 'HEAD' || !range) {
      res.writeHead(200, { ...headers, 'content-length': object.body.length });
      return void res.end(req.method === 'HEAD' ? undefined : object.body);
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : object.body.length - 1, object.body.length - 1);
    const part = object.body.subarray(start, end + 1);
    res.writeHead(206, {
      ...headers,
      'content-length': part.length,
      'content-range': `bytes ${start}-${end}/${object.body.length}`,
    });
    res.end(part);
  }
}
