import { expect } from 'chai';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/store-labels';
import { InvalidEvent } from '../../../functions/lib/errors';
import { AwsMocks, eventFixture } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('StoreLabels handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ detection: { labels: unknown[] } }>('store-labels.json');
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('writes the labels on the item and answers how many', async () => {
    expect(await handler(event)).to.deep.equal({ labelCount: 2 });
    expect(aws.dynamo.commandCalls(UpdateCommand)).to.have.lengthOf(1);
    expect(aws.itemWrites()[0]?.fields.labels).to.deep.equal(event.detection.labels);
    expect(aws.itemWrites()[0]?.fields).to.not.have.property('labelsError');
  });

  it('writes a face count when the detection has one', async () => {
    await handler({ ...event, detection: { ...event.detection, faceCount: 3 } });
    expect(aws.itemWrites()[0]?.fields.faces).to.deep.equal({ count: 3 });
  });

  it('records a refusal as labelsError with no labels', async () => {
    const refused = { name: 'InvalidImageFormatException', message: 'Request has invalid image format' };
    expect(await handler({ ...event, detection: { refused } })).to.deep.equal({
      labelCount: 0,
      refused: 'InvalidImageFormatException',
    });
    expect(aws.itemWrites()[0]?.fields).to.deep.include({ labels: [], labelsError: refused });
  });

  it('throws InvalidEvent without a detection', async () => {
    await expectRejection(handler({ ...event, detection: [] }), InvalidEvent, /"detection"/);
  });
});
