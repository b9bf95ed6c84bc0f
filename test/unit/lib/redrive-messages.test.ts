import { expect } from 'chai';
import { originalEventOf } from '../../../scripts/redrive';
import { eventFixture } from '../../support/fixtures';

/** The two shapes a message of S3Trigger's dead-letter queue can have, and what redrive re-sends of each. */
describe('redrive: the original event of a dead-letter message', () => {
  const event = eventFixture('eventbridge-object-created.json');

  it('a rule DLQ or Lambda DeadLetterQueue message: the body is the event', () => {
    expect(originalEventOf(JSON.stringify(event))).to.deep.equal(event);
  });

  it('a Lambda failure record (on-failure destination): the event is its requestPayload', () => {
    const record = {
      version: '1.0',
      timestamp: '2026-11-30T12:00:00.000Z',
      requestContext: {
        requestId: 'r',
        functionArn: 'arn:aws:lambda:us-east-1:1:function:S3Trigger',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TransientError', errorMessage: 'throttled' },
    };
    expect(originalEventOf(JSON.stringify(record))).to.deep.equal(event);
  });

  it('anything else is not re-sent', () => {
    for (const body of [undefined, '', 'not json', '42', '{"detail":{}}', '{"requestContext":{},"requestPayload":"x"}'])
      expect(originalEventOf(body), String(body)).to.equal(undefined);
  });
});
