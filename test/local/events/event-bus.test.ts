import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeliveryJournal } from '../../../local/events/delivery-journal';
import { createEventBus, type EventBusOptions } from '../../../local/events/event-bus';
import type { EventBridgeEvent } from '../../../local/events/s3-object-events';
import type { InvokeOutcome } from '../../../local/lambda/outcome';
import { silentLog } from '../../../local/log';
import type { RuleModel } from '../../../local/stack-model';

const RULE: RuleModel = {
  name: 'S3TriggerObjectCreated',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/S3TriggerObjectCreated',
  pattern: { source: ['aws.s3'], 'detail-type': ['Object Created'] },
  target: 'S3Trigger',
  retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 },
};

function created(id: string, key = 'private/u1/uploads/a.jpg'): EventBridgeEvent {
  return {
    version: '0',
    id,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { object: { key } },
  };
}

const OK: InvokeOutcome = { ok: true, payload: '{}', requestId: 'r', durationMs: 1 };

describe('the event bus delivery journal', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'event-bus-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back, after a crash, the deliveries not done, and keeps only them', () => {
    const file = path.join(dir, 'events', 'deliveries.jsonl');
    const event = created('e1');
    const first = new DeliveryJournal(file);
    expect(first.unfinished()).to.deep.equal([]);
    first.add({ id: 'a', rule: 'R', event });
    first.add({ id: 'b', rule: 'R', event });
    first.done('a');
    // A crash mid-line leaves half a line: that delivery was never acknowledged, so it is not there.
    appendFileSync(file, '{"add":{"id":"c"');
    const second = new DeliveryJournal(file);
    expect(second.unfinished()).to.deep.equal([{ id: 'b', rule: 'R', event }]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(1);
  });

  it('empties its file once nothing is pending after many deliveries, and not while one is', () => {
    const file = path.join(dir, 'deliveries.jsonl');
    const journal = new DeliveryJournal(file);
    const event = created('e');
    journal.add({ id: 'kept', rule: 'R', event });
    for (let n = 0; n < 1500; n += 1) {
      journal.add({ id: `d${n}`, rule: 'R', event });
      journal.done(`d${n}`);
    }
    expect(new DeliveryJournal(file).unfinished().map((delivery) => delivery.id)).to.deep.equal(['kept']);
    const again = new DeliveryJournal(file);
    for (let n = 0; n < 1100; n += 1) again.add({ id: `x${n}`, rule: 'R', event });
    for (let n = 0; n < 1100; n += 1) again.done(`x${n}`);
    expect(readFileSync(file, 'utf8').trim().split('\n').filter(Boolean)).to.have.length.above(1000);
    again.done('kept');
    expect(readFileSync(file, 'utf8')).to.equal('');
    expect(new DeliveryJournal(file).unfinished()).to.deep.equal([]);
  });
});

describe('the event bus', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'event-bus-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (invoke: EventBusOptions['invoke'], extra: Partial<EventBusOptions> = {}): EventBusOptions => ({
    rules: [RULE],
    invoke,
    log: silentLog(),
    deadLetterFile: path.join(dir, 'dead-letters.jsonl'),
    journalFile: path.join(dir, 'events', 'deliveries.jsonl'),
    retryDelayMs: () => 1,
    ...extra,
  });

  it('delivers again, at the next start, an event whose delivery a stop cut off, and only until it is delivered', async () => {
    const first = createEventBus(options(() => new Promise<InvokeOutcome>(() => undefined)));
    expect(first.put(created('cut-off')).map((rule) => rule.name)).to.deep.equal([RULE.name]);
    first.close();

    const delivered: unknown[] = [];
    const second = createEventBus(
      options(async (name, event) => {
        delivered.push({ name, id: (event as EventBridgeEvent).id });
        return OK;
      }),
    );
    expect(second.resume()).to.equal(1);
    await second.drain();
    expect(delivered).to.deep.equal([{ name: 'S3Trigger', id: 'cut-off' }]);
    second.close();

    const third = createEventBus(options(async () => OK));
    expect(third.resume()).to.equal(0);
  });

  it('forgets an event once it is dead-lettered, and keeps it in the dead-letter file', async () => {
    const failing = async (): Promise<InvokeOutcome> => ({
      ok: false,
      error: { errorType: 'Boom', errorMessage: 'no', trace: [] },
      requestId: 'r',
      durationMs: 1,
    });
    const bus = createEventBus(options(failing));
    bus.put(created('doomed'));
    await bus.drain();
    bus.close();
    expect(readFileSync(path.join(dir, 'dead-letters.jsonl'), 'utf8')).to.contain('"doomed"');
    expect(createEventBus(options(async () => OK)).resume()).to.equal(0);
  });

  it('delivers the copies and the hold a fault asks for, each journaled on its own', async () => {
    const seen: string[] = [];
    const bus = createEventBus(
      options(
        async (_, event) => {
          seen.push((event as EventBridgeEvent).id);
          return OK;
        },
        { faults: { delivery: () => ({ holdMs: 30, copyDelaysMs: [0, 10] }) } },
      ),
    );
    bus.put(created('copied'));
    const journal = path.join(dir, 'events', 'deliveries.jsonl');
    expect(readFileSync(journal, 'utf8').trim().split('\n')).to.have.length(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen, 'held back').to.deep.equal([]);
    await bus.drain();
    expect(seen).to.deep.equal(['copied', 'copied', 'copied']);
  });
});
