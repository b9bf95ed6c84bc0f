import { expect } from 'chai';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deliverMail, inboxFile, readInbox } from '../../../local/inbox';
import { isLoopbackUrl, passesFilter, type PublishedMessage, type Subscription } from '../../../local/sns/delivery';
import { checkPublish, filterableAttributes, messageAttributesParam } from '../../../local/sns/messages';
import { entries, SnsError, toXml } from '../../../local/sns/query-protocol';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:NotificationTopic';
const errorOf = (run: () => unknown): SnsError => {
  try {
    run();
  } catch (error) {
    return error as SnsError;
  }
  throw new Error('expected an SnsError');
};

describe('local SNS: publish validation', () => {
  it('accepts a message with a subject and typed attributes', () => {
    const input = checkPublish({
      topicArn: TOPIC,
      message: 'done',
      subject: 'Photo SUCCEEDED',
      messageAttributes: {
        status: { DataType: 'String', StringValue: 'SUCCEEDED' },
        size: { DataType: 'Number', StringValue: '3' },
      },
    });
    expect(input).to.deep.equal({
      topicArn: TOPIC,
      message: 'done',
      subject: 'Photo SUCCEEDED',
      messageAttributes: {
        status: { DataType: 'String', StringValue: 'SUCCEEDED' },
        size: { DataType: 'Number', StringValue: '3' },
      },
    });
  });

  it('sends a Message given as JSON (a Step Functions task) as its text', () => {
    expect(checkPublish({ topicArn: TOPIC, message: { file: 'a.jpg' } }).message).to.equal('{"file":"a.jpg"}');
  });

  it('refuses what SNS refuses, with its codes', () => {
    const cases: Array<[Parameters<typeof checkPublish>[0], string, string]> = [
      [{ topicArn: undefined, message: 'x' }, 'InvalidParameter', 'InvalidParameterException'],
      [
        { topicArn: 'arn:aws:sqs:us-east-1:000000000000:q', message: 'x' },
        'InvalidParameter',
        'InvalidParameterException',
      ],
      [{ topicArn: TOPIC, message: '' }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x'.repeat(256 * 1024 + 1) }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x', subject: 'two\nlines' }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x', subject: 'Photo café.jpg' }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x', subject: ' leading space' }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x', subject: 'x'.repeat(100) }, 'InvalidParameter', 'InvalidParameterException'],
      [{ topicArn: TOPIC, message: 'x', messageStructure: 'json' }, 'InvalidParameter', 'InvalidParameterException'],
      [
        { topicArn: TOPIC, message: 'x', messageAttributes: { s: { DataType: 'String', StringValue: '' } } },
        'ParameterValueInvalid',
        'InvalidParameterValueException',
      ],
      [
        { topicArn: TOPIC, message: 'x', messageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } },
        'ParameterValueInvalid',
        'InvalidParameterValueException',
      ],
      [
        { topicArn: TOPIC, message: 'x', messageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } },
        'ParameterValueInvalid',
        'InvalidParameterValueException',
      ],
    ];
    for (const [input, code, name] of cases) {
      const error = errorOf(() => checkPublish(input));
      expect(error, JSON.stringify(input).slice(0, 80)).to.be.instanceOf(SnsError);
      expect([error.code, error.name, error.status]).to.deep.equal([code, name, 400]);
    }
  });
});

describe('local SNS: the query protocol', () => {
  it('reads MessageAttributes entries as the SDK numbers them', () => {
    const params = new URLSearchParams(
      'MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AQI%3D' +
        '&MessageAttributes.entry.1.Name=status&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=OK',
    );
    expect(messageAttributesParam(params)).to.deep.equal({
      status: { DataType: 'String', StringValue: 'OK' },
      b: { DataType: 'Binary', BinaryValue: 'AQI=' },
    });
    expect(
      entries(
        new URLSearchParams('Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true'),
        'Attributes',
      ),
    ).to.deep.equal([{ key: 'RawMessageDelivery', value: 'true' }]);
  });

  it('escapes text in XML answers', () => {
    expect(toXml({ Message: '<a & "b">' })).to.equal('<Message>&lt;a &amp; &quot;b&quot;&gt;</Message>');
  });
});

describe('local SNS: deliveries', () => {
  it('delivers over http(s) to loopback addresses only, without resolving names', () => {
    for (const url of ['http://127.0.0.1:9000/x', 'https://127.8.9.10/x', 'http://[::1]:80/', 'http://localhost/x'])
      expect(isLoopbackUrl(url), url).to.equal(true);
    for (const url of [
      'http://10.0.0.1/',
      'http://192.168.1.2/',
      'http://example.com/',
      'http://127.0.0.1.nip.io/',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(isLoopbackUrl(url), url).to.equal(false);
  });

  it('applies a filter policy to the attributes (strings, numbers) or to the JSON body', () => {
    const message = (attributes: PublishedMessage['messageAttributes'], body = '{}'): PublishedMessage => ({
      messageId: 'm',
      topicArn: TOPIC,
      message: body,
      messageAttributes: attributes,
      timestamp: '',
    });
    const subscription = (filterPolicy: Record<string, unknown>, filterPolicyScope?: string): Subscription => ({
      arn: `${TOPIC}:s`,
      topicArn: TOPIC,
      protocol: 'http',
      endpoint: 'http://127.0.0.1/',
      filterPolicy,
      ...(filterPolicyScope ? { filterPolicyScope } : {}),
      rawMessageDelivery: false,
      fromTemplate: false,
    });
    const failed = message({ status: { DataType: 'String', StringValue: 'FAILED' } });
    expect(passesFilter(subscription({ status: ['FAILED', 'UNSUPPORTED'] }), failed)).to.equal(true);
    expect(passesFilter(subscription({ status: [{ 'anything-but': 'FAILED' }] }), failed)).to.equal(false);
    expect(
      passesFilter(
        subscription({ size: [{ numeric: ['>', 2] }] }),
        message({ size: { DataType: 'Number', StringValue: '3' } }),
      ),
    ).to.equal(true);
    expect(passesFilter(subscription({ flagged: [true] }, 'MessageBody'), message({}, '{"flagged":true}'))).to.equal(
      true,
    );
    expect(passesFilter(subscription({ flagged: [true] }, 'MessageBody'), message({}, 'not json'))).to.equal(false);
    expect(filterableAttributes({ tags: { DataType: 'String.Array', StringValue: '["a","b"]' } })).to.deep.equal({
      tags: ['a', 'b'],
    });
  });
});

describe('the local inbox', () => {
  it('keeps one JSON line per e-mail, reads them back by address and skips a torn line', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'inbox-'));
    try {
      const sent = deliverMail(dataDir, {
        source: 'sns',
        from: 'a@b',
        to: 'owner@example.com',
        subject: 'S',
        text: 'T',
      });
      deliverMail(dataDir, { source: 'sns', from: 'a@b', to: 'other@example.com', subject: 'S2', text: 'T2' });
      appendFileSync(inboxFile(dataDir), '{"torn":');
      expect(inboxFile(dataDir)).to.equal(path.join(dataDir, 'inbox', 'inbox.jsonl'));
      expect(readInbox(dataDir, 'owner@example.com')).to.deep.equal([sent]);
      expect(readInbox(dataDir).map((mail) => mail.subject)).to.deep.equal(['S', 'S2']);
      expect(sent.time).to.match(/^\d{4}-\d\d-\d\dT/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
