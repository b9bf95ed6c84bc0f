import { expect } from 'chai';
import { decodeEventKey } from '../../functions/lib/upload-key';
import { compareSequencers } from '../../functions/lib/sequencer';
import { objectsCreatedIn } from '../../functions/lib/s3-events';
import { matchesPattern, UnsupportedPattern } from '../../local/events/pattern';
import { encodeEventKey, objectEvent, Sequencers } from '../../local/events/s3-object-events';
import { decodeChunks, MalformedChunkedBody } from '../../local/s3/aws-chunked';
import { corsXml, virtualHostBucket } from '../../local/s3/s3-service';
import { loadStackModel } from '../../local/stack-model';
import { routeOf } from '../../local/mounts';
import type { IncomingMessage } from 'node:http';

/** The local stack's own logic, without a server: patterns, event shapes, framing, template resolution, routing. */
describe('local stack pieces', () => {
  describe('EventBridge patterns', () => {
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'photorepo' }, object: { key: 'private/u/uploads/a%20b.jpg', size: 10 } },
    };

    it('matches the template rule shape: exact values, nested objects and wildcards', () => {
      const pattern = {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['photorepo'] }, object: { key: [{ wildcard: 'private/*/uploads/*' }] } },
      };
      expect(matchesPattern(pattern, event)).to.equal(true);
      expect(matchesPattern({ ...pattern, source: ['aws.ec2'] }, event)).to.equal(false);
      expect(
        matchesPattern({ ...pattern, detail: { ...pattern.detail, bucket: { name: ['other'] } } }, event),
      ).to.equal(false);
      expect(matchesPattern({ detail: { object: { key: [{ wildcard: 'private/*/resized/*' }] } } }, event)).to.equal(
        false,
      );
    });

    it('supports prefix, suffix, anything-but, exists, numeric and equals-ignore-case', () => {
      const on = (matcher: unknown) => matchesPattern({ detail: { object: { key: [matcher] } } }, event);
      expect(on({ prefix: 'private/' })).to.equal(true);
      expect(on({ suffix: '.png' })).to.equal(false);
      expect(on({ 'anything-but': { prefix: 'public/' } })).to.equal(true);
      expect(on({ 'equals-ignore-case': 'PRIVATE/U/UPLOADS/A%20B.JPG' })).to.equal(true);
      expect(matchesPattern({ detail: { object: { etag: [{ exists: false }] } } }, event)).to.equal(true);
      expect(matchesPattern({ detail: { object: { size: [{ numeric: ['>', 5, '<=', 10] }] } } }, event)).to.equal(true);
      expect(matchesPattern({ detail: { object: { size: [{ numeric: ['<', 5] }] } } }, event)).to.equal(false);
      expect(() => matchesPattern({ detail: [{ cidr: '10.0.0.0/8' }] }, event)).to.throw(UnsupportedPattern);
    });

    it('treats * in a wildcard as any run of characters, slashes included, and \\* as a star', () => {
      expect(matchesPattern({ k: [{ wildcard: 'a*c' }] }, { k: 'a/b/c' })).to.equal(true);
      expect(matchesPattern({ k: [{ wildcard: 'a\\*c' }] }, { k: 'abc' })).to.equal(false);
      expect(matchesPattern({ k: [{ wildcard: 'a\\*c' }] }, { k: 'a*c' })).to.equal(true);
      expect(matchesPattern({ k: [{ wildcard: 'a.c' }] }, { k: 'abc' })).to.equal(false);
    });
  });

  describe('S3 "Object Created" events', () => {
    const keys = [
      'private/u/uploads/plain.jpg',
      'private/us-east-1:abc/uploads/été 2026/my photo+1 (100%).jpg',
      'private/u/uploads/a&b=c?d#e.jpg',
      'private/u/uploads/日本.png',
    ];

    it('percent-encode keys so that decodeEventKey gives them back exactly', () => {
      for (const key of keys) expect(decodeEventKey(encodeEventKey(key), 'eventbridge')).to.equal(key);
      expect(encodeEventKey('private/us-east-1:abc/uploads/été 2026/my photo+1 (100%).jpg')).to.equal(
        'private/us-east-1%3Aabc/uploads/%C3%A9t%C3%A9%202026/my%20photo+1%20(100%25).jpg',
      );
    });

    it('have the shape S3Trigger reads, with fixed-width sequencers that grow per key', () => {
      const sequencers = new Sequencers();
      const first = sequencers.next('photorepo', keys[1] as string, 1000);
      const second = sequencers.next('photorepo', keys[1] as string, 1000);
      const later = sequencers.next('photorepo', keys[1] as string, 999);
      expect(first)
        .to.have.length(18)
        .and.to.match(/^[0-9A-F]+$/);
      expect(compareSequencers(second, first)).to.equal(1);
      expect(compareSequencers(later, second)).to.equal(1);
      const event = objectEvent(
        { kind: 'created', bucket: 'photorepo', key: keys[1] as string, size: 5, etag: 'abc', reason: 'PutObject' },
        first,
        'us-east-1',
        '000000000000',
      );
      expect(event).to.include({
        source: 'aws.s3',
        'detail-type': 'Object Created',
        account: '000000000000',
        region: 'us-east-1',
      });
      expect(event.resources).to.deep.equal(['arn:aws:s3:::photorepo']);
      expect(objectsCreatedIn(event)).to.deep.equal([
        { bucket: 'photorepo', key: keys[1], sequencer: first, eventTime: event.time, sizeBytes: 5, etag: 'abc' },
      ]);
    });
  });

  describe('aws-chunked bodies', () => {
    it('unwraps signed and unsigned framing with trailers', () => {
      const signed = Buffer.from(
        '5;chunk-signature=aa\r\nhello\r\n6;chunk-signature=bb\r\n world\r\n0;chunk-signature=cc\r\n\r\n',
      );
      expect(decodeChunks(signed).toString()).to.equal('hello world');
      const unsigned = Buffer.from('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
      expect(decodeChunks(unsigned).toString()).to.equal('abc');
      expect(() => decodeChunks(Buffer.from('zz\r\n'))).to.throw(MalformedChunkedBody);
      expect(() => decodeChunks(Buffer.from('10\r\nshort'))).to.throw(MalformedChunkedBody);
    });
  });

  describe('template.yaml as the local stack deploys it', () => {
    const model = loadStackModel({
      identity: {
        region: 'eu-west-1',
        accountId: '111122223333',
        stackName: 'demo',
        endpoint: 'http://127.0.0.1:4566',
      },
    });

    it('names resources after their logical ids and resolves every reference the functions get', () => {
      expect(model.buckets.map((bucket) => bucket.name)).to.deep.equal(['photorepo', 'webbucket']);
      expect(model.tables.map((table) => table.name)).to.deep.equal(['ImageMetadataTable', 'AlbumMetadataTable']);
      const trigger = model.functions.find((fn) => fn.logicalId === 'S3Trigger');
      expect(trigger?.environment).to.include({
        IMAGE_METADATA_TABLE: 'ImageMetadataTable',
        ALBUM_METADATA_TABLE: 'AlbumMetadataTable',
        STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:ImageProcessing',
        NODE_OPTIONS: '--enable-source-maps',
      });
      const thumbnail = model.functions.find((fn) => fn.logicalId === 'GenerateThumbnail');
      expect(thumbnail?.environment.THUMBNAIL_MAX_SIZE).to.equal(String(model.parameters.ThumbnailMaxSize));
      expect(thumbnail?.sourceFile).to.match(/functions\/generate-thumbnail\.ts$/);
      expect(model.outputs.ImageProcessingStateMachineArn?.value).to.equal(
        'arn:aws:states:eu-west-1:111122223333:stateMachine:ImageProcessing',
      );
    });

    it('fills the ASL placeholders with the functions ARNs and the rule with the bucket name', () => {
      const definition = JSON.parse(model.stateMachines[0]?.definition ?? '{}') as {
        States: Record<string, { Parameters?: { FunctionName?: string } }>;
      };
      expect(definition.States.ExtractImageMetadata?.Parameters?.FunctionName).to.equal(
        'arn:aws:lambda:eu-west-1:111122223333:function:ExtractImageMetadata',
      );
      const [rule] = model.rules;
      expect(rule).to.deep.include({
        name: 'S3TriggerObjectCreated',
        target: 'S3Trigger',
        deadLetterArn: 'arn:aws:sqs:eu-west-1:111122223333:S3TriggerDeadLetterQueue',
      });
      expect((rule?.pattern as { detail: { bucket: { name: string[] } } }).detail.bucket.name).to.deep.equal([
        'photorepo',
      ]);
    });

    it('turns the CorsConfiguration into the XML s3rver takes', () => {
      const xml = corsXml(model.buckets[0]?.cors ?? []);
      expect(xml).to.include(`<AllowedOrigin>${model.parameters.CorsAllowedOrigin}</AllowedOrigin>`);
      expect(xml)
        .to.include('<AllowedMethod>PUT</AllowedMethod>')
        .and.include('<ExposeHeader>ETag</ExposeHeader>')
        .and.include('<MaxAgeSeconds>3000</MaxAgeSeconds>');
    });
  });

  describe('routing', () => {
    const request = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;
    const signed = (service: string) =>
      `AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

    it('routes by X-Amz-Target, the Lambda path and the signed service, with S3 as the default', () => {
      expect(routeOf(request({ 'x-amz-target': 'DynamoDB_20120810.GetItem' }))).to.equal('dynamodb');
      expect(routeOf(request({ 'x-amz-target': 'AWSStepFunctions.StartExecution' }))).to.equal('states');
      expect(routeOf(request({ 'x-amz-target': 'RekognitionService.DetectLabels' }))).to.equal('rekognition');
      expect(routeOf(request({ 'x-amz-target': 'AmazonSQS.SendMessage' }))).to.equal('sqs');
      expect(routeOf(request({ 'x-amz-target': 'AWSEvents.PutEvents' }))).to.deep.equal({
        unknown: 'X-Amz-Target AWSEvents.PutEvents',
      });
      expect(routeOf(request({}, '/2015-03-31/functions/S3Trigger/invocations'))).to.equal('lambda');
      expect(routeOf(request({ authorization: signed('cloudformation') }))).to.equal('cloudformation');
      expect(routeOf(request({ authorization: signed('sns') }))).to.equal('sns');
      // SQS's old query protocol (no X-Amz-Target) is not served: the SDK speaks JSON.
      expect(routeOf(request({ authorization: signed('sqs') }))).to.deep.equal({ unknown: 'the sqs API' });
      expect(routeOf(request({ authorization: signed('s3') }, '/photorepo/key'))).to.equal('s3');
      expect(
        routeOf(request({}, '/photorepo/key?X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Fs3%2Faws4_request')),
      ).to.equal('s3');
      expect(virtualHostBucket('photorepo.localhost:4566')).to.equal('photorepo');
      expect(virtualHostBucket('localhost:4566')).to.equal(undefined);
      expect(virtualHostBucket('127.0.0.1:4566')).to.equal(undefined);
    });
  });
});
