import { expect } from 'chai';
import { InvalidConfiguration } from '../../../functions/lib/errors';
import { executionArnFor, executionNameFor } from '../../../functions/lib/execution-name';
import { logger } from '../../../functions/lib/logger';
import type { ObjectCreated } from '../../../functions/lib/s3-events';
import { triggerProcessing, type TriggerDeps } from '../../../functions/lib/trigger';
import { imageIdFor } from '../../../functions/lib/upload-key';
import { RecordingExecutions, RecordingStore, type Calls } from '../../support/fakes';
import { expectRejection } from '../../support/helpers';

/** S3Trigger's core over fakes of ImageStore and ExecutionStarter: no SDK, no environment. */
describe('triggerProcessing', () => {
  const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImageProcessing';
  const created: ObjectCreated = {
    bucket: 'photorepo',
    key: 'private/u1/uploads/holidays/photo.jpg',
    sequencer: '0065A1B2C3D4E5F601',
    eventTime: '2026-11-22T10:15:30Z',
    sizeBytes: 1234,
  };
  const name = executionNameFor(created.bucket, created.key, created.sequencer);
  let calls: Calls;
  let store: RecordingStore;
  let executions: RecordingExecutions;
  let deps: TriggerDeps;
  before(() => logger.setLogLevel('SILENT'));
  after(() => logger.setLogLevel('INFO'));
  beforeEach(() => {
    calls = [];
    store = new RecordingStore(calls);
    executions = new RecordingExecutions(calls);
    deps = { store: () => store, executions: () => executions, stateMachineArn: () => machine };
  });

  it('records the upload, then starts one execution named from bucket + key + sequencer, with { upload } as input', async () => {
    const executionArn = executionArnFor(machine, name);
    expect(await triggerProcessing(created, deps)).to.deep.equal({
      key: created.key,
      outcome: 'started',
      executionArn,
    });
    expect(calls).to.deep.equal([`startProcessing ${created.key} ${executionArn}`, `start ${machine} ${name}`]);
    expect(executions.inputs).to.deep.equal([
      {
        upload: {
          key: created.key,
          userId: 'u1',
          albumId: 'holidays',
          fileName: 'photo.jpg',
          bucket: 'photorepo',
          imageId: imageIdFor(created.key),
          sequencer: created.sequencer,
          eventTime: created.eventTime,
          sizeBytes: 1234,
        },
      },
    ]);
  });

  it('answers duplicate when the execution already exists, and stale (starting nothing) when a newer upload owns the item', async () => {
    executions.answer = 'duplicate';
    expect(await triggerProcessing(created, deps)).to.include({ outcome: 'duplicate' });
    calls.length = 0;
    store.startOutcome = 'stale';
    expect(await triggerProcessing(created, deps)).to.include({ outcome: 'stale' });
    expect(calls.filter((call) => call.startsWith('start '))).to.deep.equal([]);
  });

  it('skips a key outside uploads/ without resolving any dependency', async () => {
    const untouchable: TriggerDeps = {
      store: () => expect.fail('store'),
      executions: () => expect.fail('executions'),
      stateMachineArn: () => {
        throw new InvalidConfiguration('STATE_MACHINE_ARN is not set');
      },
    };
    expect(await triggerProcessing({ ...created, key: 'private/u1/resized/photo.jpg' }, untouchable)).to.deep.equal({
      key: 'private/u1/resized/photo.jpg',
      outcome: 'skipped',
      reason: 'not an upload key',
    });
    await expectRejection(triggerProcessing(created, untouchable), InvalidConfiguration);
  });
});
