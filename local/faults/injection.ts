import { appendFileSync } from 'node:fs';
import { decodeEventKey } from '../../functions/lib/upload-key';
import type { EventBridgeEvent } from '../events/s3-object-events';
import { imageOf, sameEtag } from './images';
import type { FaultPlan, LambdaFault, PlannedObject, RequestFaultKind } from './plan';
import { streamOf, type Random } from './random';

/**
 * What a stack started with `faults` asks before it dispatches work: the fault, if any, for a request one of its
 * functions made, for an invocation of a function, and for the delivery of an event. Only the faults run
 * (`npm run faults`) builds one, from its plan; a stack started any other way has none, and nothing a request says
 * can turn faults on.
 */
export interface FaultInjection {
  request(service: string): RequestFault | undefined;
  invocation(functionName: string, event: unknown): Pick<LambdaFault, 'kind' | 'afterMs'> | undefined;
  delivery(event: EventBridgeEvent): EventDelivery | undefined;
}

export interface RequestFault {
  kind: RequestFaultKind;
  /** How long a timeout holds the request before dropping its connection. */
  holdMs: number;
}

export interface EventDelivery {
  holdMs: number;
  copyDelaysMs: number[];
}

/**
 * The injection of one life of the stack (`phase` 0 before the restart, 1 after) from the plan: request faults drawn
 * from one seeded stream per service, the rest looked up by key. Every fault injected is appended to `journal` as a
 * JSON line, so the run can count them even after the stack was killed.
 */
export async function injectionOf(plan: FaultPlan, phase: number, journal: string): Promise<FaultInjection> {
  const objects = new Map(plan.objects.map((object) => [object.key, object]));
  const etags = new Map<PlannedObject, string[]>();
  for (const object of plan.objects)
    etags.set(object, await Promise.all(object.versions.map(async (version) => (await imageOf(version)).etag)));
  const streams = new Map<string, { random: Random; lastFailed: boolean }>();
  const invocations = new Map<string, number>();
  const note = (entry: Record<string, unknown>) => appendFileSync(journal, `${JSON.stringify({ phase, ...entry })}\n`);

  return {
    request(service) {
      if (!plan.requests.services.includes(service)) return undefined;
      let stream = streams.get(service);
      if (!stream) {
        stream = { random: streamOf(plan.seed, 'requests', service, String(phase)), lastFailed: false };
        streams.set(service, stream);
      }
      const { random } = stream;
      const fails = random.chance(plan.requests.rate) && !stream.lastFailed;
      const kind = random.weighted(plan.requests.kinds);
      const holdMs = random.int(...plan.requests.timeoutMs);
      stream.lastFailed = fails;
      if (!fails) return undefined;
      note({ fault: 'request', service, kind });
      return { kind, holdMs };
    },
    invocation(functionName, event) {
      const key = keyOf(event);
      const object = key === undefined ? undefined : objects.get(key);
      if (!object) return undefined;
      const id = `${functionName} ${object.key}`;
      const occurrence = (invocations.get(id) ?? 0) + 1;
      invocations.set(id, occurrence);
      const fault = object.lambdaFaults.find(
        (candidate) => candidate.functionName === functionName && candidate.occurrence === occurrence,
      );
      if (!fault) return undefined;
      note({ fault: 'lambda', functionName, key: object.key, kind: fault.kind });
      return { kind: fault.kind, afterMs: fault.afterMs };
    },
    delivery(event) {
      if (event['detail-type'] !== 'Object Created') return undefined;
      const detail = event.detail as { object?: { key?: string; etag?: string } };
      const key = detail.object?.key === undefined ? undefined : decodeEventKey(detail.object.key, 'eventbridge');
      const object = key === undefined ? undefined : objects.get(key);
      if (!object) return undefined;
      const version = (etags.get(object) ?? []).findIndex((etag) => sameEtag(etag, detail.object?.etag));
      const fault = object.deliveries.find((candidate) => candidate.version === version);
      if (!fault) return undefined;
      note({ fault: 'delivery', key: object.key, version, copies: fault.extraCopies, holdMs: fault.holdMs });
      return { holdMs: fault.holdMs, copyDelaysMs: fault.copyDelaysMs };
    },
  };
}

/** The upload key an invocation is about: a step's `upload.key`, or an S3 event's object key. */
export function keyOf(event: unknown): string | undefined {
  if (!event || typeof event !== 'object') return undefined;
  const upload = (event as { upload?: { key?: unknown } }).upload;
  if (typeof upload?.key === 'string') return upload.key;
  const raw = (event as { detail?: { object?: { key?: unknown } } }).detail?.object?.key;
  return typeof raw === 'string' ? decodeEventKey(raw, 'eventbridge') : undefined;
}
