import { expect } from 'chai';
import { imageIdFor } from '../../../functions/lib/upload-key';
import type { Observed } from '../../../local/faults/observe';
import type { FaultPlan, PlannedObject } from '../../../local/faults/plan';
import { reconcile, RECONCILED_OUTCOME, type ReconcileInput } from '../../../local/faults/reconcile';

// A healthy end state by hand: A (in an album) was uploaded twice and ended SUCCEEDED with version 1's thumbnail, B
// was uploaded and deleted (a tombstone), C is a GIF that ended UNSUPPORTED.
const A = 'private/u1/uploads/trip/a.jpg';
const B = 'private/u1/uploads/b.jpg';
const C = 'private/u2/uploads/c.jpg';
const THUMB_A = 'private/u1/resized/trip/a.jpg';

function object(key: string, kinds: ('jpeg' | 'gif')[], extra: Partial<PlannedObject> = {}): PlannedObject {
  const shapes: [number, number][] = [
    [320, 240],
    [240, 320],
  ];
  return {
    index: 0,
    scenario: 'single',
    key,
    userId: key.split('/')[1] as string,
    fileName: key.split('/').at(-1) as string,
    versions: kinds.map((kind, version) => {
      const [width, height] = shapes[version] as [number, number];
      return { version, kind, width, height, color: version };
    }),
    steps: [],
    deliveries: [],
    lambdaFaults: [],
    ...extra,
  };
}

function healthy(): ReconcileInput {
  const plan: FaultPlan = {
    seed: 1,
    uploads: 4,
    functions: [],
    objects: [object(A, ['jpeg', 'jpeg'], { albumId: 'trip' }), object(B, ['jpeg']), object(C, ['gif'])],
    restart: { afterObject: 1, downMs: 0 },
    requests: {
      services: [],
      rate: 0,
      kinds: { throttle: 1, serverError: 0, timeout: 0, lostAnswer: 0 },
      timeoutMs: [0, 0],
    },
  };
  const observed: Observed = {
    objects: { [A]: '"a1"', [B]: null, [C]: '"c0"' },
    keys: [A, C, THUMB_A],
    items: [
      {
        imageId: imageIdFor(A),
        key: A,
        userId: 'u1',
        albumId: 'trip',
        status: 'SUCCEEDED',
        executionArn: 'arn:a1',
        sequencer: '02',
        width: 240,
        height: 320,
        thumbnail: { key: THUMB_A },
      },
      { imageId: imageIdFor(B), sequencer: '03', sequencerOrder: '03', deletedAt: 'now' },
      { imageId: imageIdFor(C), key: C, userId: 'u2', status: 'UNSUPPORTED', executionArn: 'arn:c0', sequencer: '04' },
    ],
    albums: [{ userId: 'u1', albumId: 'trip', photoCount: 1 }],
    executions: [
      { arn: 'arn:a0', status: 'SUCCEEDED', key: A, sequencer: '01', etag: 'a0', publishes: 0 },
      { arn: 'arn:a1', status: 'SUCCEEDED', key: A, sequencer: '02', etag: 'a1', publishes: 1 },
      { arn: 'arn:b0', status: 'SUCCEEDED', key: B, sequencer: '03', etag: 'b0', publishes: 1 },
      { arn: 'arn:c0', status: 'FAILED', key: C, sequencer: '04', etag: 'c0', publishes: 1 },
    ],
    thumbnails: { [THUMB_A]: { width: 188, height: 250, color: 1 } },
  };
  return {
    plan,
    etags: { [A]: ['"a0"', '"a1"'], [B]: ['"b0"'], [C]: ['"c0"'] },
    observed,
    notifications: [
      { imageId: imageIdFor(A), status: 'SUCCEEDED' },
      { imageId: imageIdFor(B), status: 'SUCCEEDED' },
      { imageId: imageIdFor(C), status: 'UNSUPPORTED' },
    ],
  };
}

/** The healthy state with one thing broken; the item of key `of` is handed to `change` when asked. */
function broken(change: (input: ReconcileInput) => void): ReconcileInput {
  const input = structuredClone(healthy());
  change(input);
  return input;
}

function itemOf(input: ReconcileInput, key: string): Record<string, unknown> {
  return input.observed.items.find((item) => item.imageId === imageIdFor(key)) as Record<string, unknown>;
}

function nonZero(input: ReconcileInput): Record<string, number> {
  return Object.fromEntries(Object.entries(reconcile(input).counts).filter(([, count]) => count > 0));
}

describe('the faults run reconciliation', () => {
  it('finds nothing wrong in a healthy end state, and counts what it saw', () => {
    const verdict = reconcile(healthy());
    expect(verdict.problems).to.deep.equal([]);
    expect(verdict).to.deep.include({ live: 2, deleted: 1, executions: 4 });
    expect(verdict.statuses).to.deep.equal({ SUCCEEDED: 1, UNSUPPORTED: 1 });
    expect(verdict.failures).to.deep.equal({});
    expect(verdict.notifications).to.deep.equal({ received: 3, published: 3, unnotified: 0 });
  });

  it('counts an object without an item, or with only a tombstone, as lost', () => {
    expect(nonZero(broken((input) => input.observed.items.splice(0, 1)))).to.deep.equal({ lost: 1, albumCount: 1 });
    const tombstoned = broken((input) => {
      const item = itemOf(input, C);
      delete item.status;
      item.deletedAt = 'now';
    });
    expect(nonZero(tombstoned)).to.deep.equal({ lost: 1 });
  });

  it('counts a SUCCEEDED item whose thumbnail is missing as lost', () => {
    expect(nonZero(broken((input) => (input.observed.thumbnails[THUMB_A] = null)))).to.deep.equal({ lost: 1 });
  });

  it('counts a PROCESSING item and a RUNNING execution as stuck', () => {
    expect(nonZero(broken((input) => (itemOf(input, C).status = 'PROCESSING')))).to.deep.equal({ stuck: 1 });
    const running = broken((input) => ((input.observed.executions[0] as { status: string }).status = 'RUNNING'));
    expect(nonZero(running)).to.deep.equal({ stuck: 1 });
  });

  it('counts an item of an older version, or one whose sequencer is not its execution’s, as wrongVersion', () => {
    const older = broken((input) => {
      Object.assign(itemOf(input, A), { executionArn: 'arn:a0', sequencer: '01' });
    });
    expect(nonZero(older)).to.deep.equal({ wrongVersion: 1 });
    expect(reconcile(older).problems[0]?.detail).to.equal('item SUCCEEDED is of version 0, the object of 1');
    expect(nonZero(broken((input) => (itemOf(input, A).sequencer = '01')))).to.deep.equal({ wrongVersion: 1 });
    expect(nonZero(broken((input) => (itemOf(input, A).executionArn = 'arn:none')))).to.deep.equal({ wrongVersion: 1 });
  });

  it('counts a thumbnail of another version (colour or shape) as wrongVersion', () => {
    const colour = broken((input) => (input.observed.thumbnails[THUMB_A] = { width: 188, height: 250, color: 0 }));
    expect(nonZero(colour)).to.deep.equal({ wrongVersion: 1 });
    const shape = broken((input) => (input.observed.thumbnails[THUMB_A] = { width: 250, height: 188, color: 1 }));
    expect(nonZero(shape)).to.deep.equal({ wrongVersion: 1 });
  });

  it('counts an outcome or a size that does not fit the version as wrongVersion; FAILED fits any', () => {
    expect(nonZero(broken((input) => (itemOf(input, C).status = 'SUCCEEDED')))).to.deep.include({ wrongVersion: 1 });
    expect(nonZero(broken((input) => (itemOf(input, A).width = 320)))).to.deep.equal({ wrongVersion: 1 });
    const failed = broken((input) =>
      Object.assign(itemOf(input, C), { status: 'FAILED', error: { name: 'Sandbox.Timedout', state: 'S3Trigger' } }),
    );
    expect(nonZero(failed)).to.deep.equal({});
    expect(reconcile(failed).failures).to.deep.equal({ 'S3Trigger: Sandbox.Timedout': 1 });
  });

  it('counts two executions of one upload version, an execution that published twice, and extra notifications as duplicated', () => {
    const twice = broken((input) =>
      input.observed.executions.push({
        arn: 'arn:a1-again',
        status: 'SUCCEEDED',
        key: A,
        sequencer: '02',
        etag: 'a1',
        publishes: 0,
      }),
    );
    expect(nonZero(twice)).to.deep.equal({ duplicated: 1 });
    const published = broken((input) => ((input.observed.executions[3] as { publishes: number }).publishes = 2));
    expect(nonZero(published)).to.deep.equal({ duplicated: 1 });
    const extra = broken((input) => input.notifications.push({ imageId: imageIdFor(C), status: 'UNSUPPORTED' }));
    expect(nonZero(extra)).to.deep.equal({ duplicated: 1 });
    expect(reconcile(extra).problems[0]).to.deep.include({ key: C, detail: '2 notifications published, 1 allowed' });
  });

  it('allows ReconcileExecution one message per execution that ended before NotifyResult, and counts a second as duplicated', () => {
    const abort = (input: ReconcileInput) => {
      Object.assign(itemOf(input, C), { status: 'FAILED', executionArn: 'arn:c1', sequencer: '05' });
      input.observed.executions.push({
        arn: 'arn:c1',
        status: 'ABORTED',
        key: C,
        sequencer: '05',
        etag: 'c0',
        publishes: 0,
      });
      input.notifications.push({ imageId: imageIdFor(C), status: 'FAILED', reconciled: true });
    };
    const once = broken(abort);
    expect(nonZero(once)).to.deep.equal({});
    expect(reconcile(once).notifications.unnotified, 'the reconciled item heard of').to.equal(0);
    const twice = broken((input) => {
      abort(input);
      input.notifications.push({ imageId: imageIdFor(C), status: 'FAILED', reconciled: true });
    });
    expect(nonZero(twice)).to.deep.equal({ duplicated: 1 });
    expect(reconcile(twice).problems[0]).to.deep.include({
      detail: '2 notifications of reconciled executions, 1 allowed',
    });
    expect(
      RECONCILED_OUTCOME.test(
        'File: a.jpg\nAlbum: (none)\nOutcome: FAILED: ExecutionAborted: The execution was aborted',
      ),
    ).to.equal(true);
    expect(RECONCILED_OUTCOME.test('File: a.jpg\nOutcome: FAILED in DetectLabels: TransientError: x')).to.equal(false);
  });

  it('counts a finished item whose execution published nothing as unnotified, which fails nothing', () => {
    const silent = broken((input) => ((input.observed.executions[1] as { publishes: number }).publishes = 0));
    expect(reconcile(silent).notifications.unnotified).to.equal(1);
    expect(nonZero(silent)).to.deep.equal({ duplicated: 1 });
  });

  it('counts a deleted upload whose item, thumbnail or rendition is left as leftover', () => {
    const item = broken((input) => Object.assign(itemOf(input, B), { status: 'SUCCEEDED', key: B }));
    expect(nonZero(item)).to.deep.equal({ leftover: 1 });
    expect(nonZero(broken((input) => input.observed.keys.push('private/u1/resized/b.jpg')))).to.deep.equal({
      leftover: 1,
    });
    expect(nonZero(broken((input) => input.observed.keys.push('private/u1/converted/b.jpg.jpg')))).to.deep.equal({
      leftover: 1,
    });
  });

  it('counts an album whose photoCount is not the number of its photos', () => {
    const counted = broken((input) => ((input.observed.albums[0] as { photoCount: number }).photoCount = 2));
    expect(nonZero(counted)).to.deep.equal({ albumCount: 1 });
    expect(reconcile(counted).problems[0]?.detail).to.equal('photoCount 2, 1 photos in it');
  });

  it('counts an object holding content no planned version has as unplanned', () => {
    expect(nonZero(broken((input) => (input.observed.objects[A] = '"zz"')))).to.deep.equal({ unplanned: 1 });
  });
});
