import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FaultInjection } from '../faults/injection';
import type { InvokeOutcome } from '../lambda/outcome';
import { messageOf, type StackLog } from '../log';
import type { RuleModel } from '../stack-model';
import { DeliveryJournal } from './delivery-journal';
import { matchesPattern } from './pattern';
import type { EventBridgeEvent } from './s3-object-events';

/**
 * The default event bus with the rules of template.yaml. An event that matches a rule is delivered to its function
 * asynchronously, as EventBridge invokes Lambda: a function error is retried twice (Lambda's asynchronous retries,
 * 1 s then 2 s here instead of 1 and 2 minutes), a target that cannot be invoked is retried per the rule's
 * RetryPolicy (attempts and event age); what is never delivered goes to <data>/dead-letters.jsonl, where AWS would
 * use the rule's or function's dead-letter queue.
 */
export interface EventBus {
  put(event: EventBridgeEvent): RuleModel[];
  /** Delivers again what the journal holds from an earlier run (deliveries a stop or crash cut off); answers how many. */
  resume(): number;
  /** Resolves when every delivery started so far has finished (delivered or dead-lettered). */
  drain(): Promise<void>;
  close(): void;
}

export interface EventBusOptions {
  rules: RuleModel[];
  invoke(functionName: string, event: unknown): Promise<InvokeOutcome>;
  log: StackLog;
  deadLetterFile: string;
  /** Delay before retry n (1-based); defaults to 1 s, 2 s, then doubling up to 60 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Where deliveries are kept until they end (./delivery-journal.ts); none: in memory only. */
  journalFile?: string;
  /** Duplicate and late deliveries the faults run injects (never set otherwise). */
  faults?: Pick<FaultInjection, 'delivery'>;
}

const FUNCTION_ERROR_RETRIES = 2;

export function createEventBus(options: EventBusOptions): EventBus {
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  const delay = options.retryDelayMs ?? ((attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1)));
  const journal = options.journalFile ? new DeliveryJournal(options.journalFile) : undefined;

  /** One delivery of the event to the rule's target, `delayMs` from now, kept in the journal until it ends. */
  function schedule(rule: RuleModel, event: EventBridgeEvent, delayMs: number, id: string): void {
    journal?.add({ id, rule: rule.name, event });
    const delivery = later(delayMs)
      .then(() => deliver(rule, event, options, delay, () => closed))
      .then((ended) => {
        if (ended) journal?.done(id);
      })
      .catch((error: unknown) => options.log.line('events', `delivery failed: ${messageOf(error)}`));
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  }

  return {
    put(event) {
      const matched = options.rules.filter((rule) => {
        try {
          return matchesPattern(rule.pattern, event);
        } catch (error) {
          options.log.line('events', `rule ${rule.name}: ${messageOf(error)}`);
          return false;
        }
      });
      const fault = matched.length > 0 ? options.faults?.delivery(event) : undefined;
      const holdMs = fault?.holdMs ?? 0;
      const delays = [holdMs, ...(fault?.copyDelaysMs ?? []).map((copyDelay) => holdMs + copyDelay)];
      for (const rule of matched) {
        options.log.line(
          'events',
          `${rule.name} -> ${rule.target}: ${event['detail-type']} ${String((event.detail as { object?: { key?: string } }).object?.key ?? event.id)}`,
        );
        delays.forEach((delayMs, copy) => schedule(rule, event, delayMs, `${event.id}/${rule.name}/${copy}`));
      }
      return matched;
    },
    resume() {
      const unfinished = journal?.unfinished() ?? [];
      for (const { id, rule: name, event } of unfinished) {
        const rule = options.rules.find((candidate) => candidate.name === name);
        if (rule) schedule(rule, event, 0, id);
        else journal?.done(id);
      }
      if (unfinished.length > 0)
        options.log.line('events', `delivering again ${unfinished.length} event(s) the last run left unfinished`);
      return unfinished.length;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close() {
      closed = true;
    },
  };
}

function later(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * Invokes the rule's target until it succeeds or the retries run out (then dead-letters the event): answers true;
 * or until the bus closes: answers false (the delivery is not over, the journal keeps it).
 */
async function deliver(
  rule: RuleModel,
  event: EventBridgeEvent,
  options: EventBusOptions,
  delay: (attempt: number) => number,
  closed: () => boolean,
): Promise<boolean> {
  const payload =
    rule.input !== undefined ? JSON.parse(rule.input) : rule.inputPath ? pathValue(event, rule.inputPath) : event;
  const firstAttempt = Date.now();
  let functionErrors = 0;
  let deliveryErrors = 0;
  for (let attempt = 1; ; attempt += 1) {
    if (closed()) return false;
    let outcome: InvokeOutcome | undefined;
    let deliveryError: unknown;
    try {
      outcome = await options.invoke(rule.target, payload);
    } catch (error) {
      deliveryError = error;
    }
    if (outcome?.ok) return true;
    if (outcome && !outcome.ok) {
      functionErrors += 1;
      options.log.line(
        'events',
        `${rule.target} failed on ${event['detail-type']} ${event.id}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
      if (functionErrors > FUNCTION_ERROR_RETRIES)
        return deadLetter(
          options,
          { rule, event, reason: 'function error after Lambda asynchronous retries', error: outcome.error },
          attempt,
        );
    } else {
      deliveryErrors += 1;
      const ageSeconds = (Date.now() - firstAttempt) / 1000;
      if (
        deliveryErrors > rule.retryPolicy.maximumRetryAttempts ||
        ageSeconds > rule.retryPolicy.maximumEventAgeSeconds
      ) {
        const error = { errorType: (deliveryError as Error)?.name, errorMessage: messageOf(deliveryError) };
        return deadLetter(
          options,
          { rule, event, reason: 'target could not be invoked (RetryPolicy exhausted)', error },
          attempt,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay(attempt)));
  }
}

interface Undeliverable {
  rule: RuleModel;
  event: EventBridgeEvent;
  reason: string;
  error: unknown;
}

function deadLetter(options: EventBusOptions, { rule, event, reason, error }: Undeliverable, attempts: number): true {
  try {
    mkdirSync(path.dirname(options.deadLetterFile), { recursive: true });
    appendFileSync(
      options.deadLetterFile,
      `${JSON.stringify({ time: new Date().toISOString(), rule: rule.name, target: rule.target, deadLetterArn: rule.deadLetterArn ?? null, reason, error, attempts, event })}\n`,
    );
  } catch (writeError) {
    options.log.line('events', `cannot write the dead-letter file: ${messageOf(writeError)}`);
  }
  options.log.line(
    'events',
    `undeliverable after ${attempts} attempt(s): ${rule.name} -> ${rule.target} (${reason}); kept in ${options.deadLetterFile}`,
  );
  return true;
}

/** InputPath: the simple $.a.b paths rules use. */
function pathValue(event: unknown, jsonPath: string): unknown {
  if (jsonPath === '$') return event;
  return jsonPath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (value, field) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined),
      event,
    );
}
