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
  /**
   * Puts the event and resolves when every rule it matched is done with it: true when each delivered or dead-lettered
   * it, false when the bus closed first (the caller keeps the event to put again after a restart).
   */
  putAndSettle(event: EventBridgeEvent): Promise<boolean>;
  /**
   * Lambda's asynchronous invocation (InvocationType Event, as the Lambda API takes it): retried twice after a
   * function error, then sent to the function's DeadLetterQueue; drain() waits for it like a rule's delivery.
   */
  invokeAsync(functionName: string, payload: unknown): void;
  /**
   * Delivers again the rule deliveries the journal holds from an earlier run (what a stop or crash cut off); answers
   * how many.
   */
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
  /**
   * Sends an undeliverable event to the SQS queue AWS would (the function's DeadLetterQueue after a function error,
   * else the rule's DeadLetterConfig): answers the queue's ARN, or undefined when there is none here (the event then
   * goes to deadLetterFile).
   */
  deadLetterQueue?: (letter: {
    rule: RuleModel;
    functionError: boolean;
    body: string;
    attributes: Record<string, string>;
  }) => string | undefined;
  /** Delay before retry n (1-based); defaults to 1 s, 2 s, then doubling up to 60 s. */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Where put()'s deliveries are kept until they end (./delivery-journal.ts); none: in memory only. putAndSettle's
   * callers keep their events themselves, and an asynchronous invocation's caller has its answer.
   */
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

  const matching = (event: EventBridgeEvent) => matchingRules(options, event);
  const dispatch = (event: EventBridgeEvent): { matched: RuleModel[]; ends: Promise<DeliveryEnd>[] } => {
    const matched = matching(event);
    const ends = matched.map((rule) => {
      options.log.line('events', `${rule.name} -> ${rule.target}: ${event['detail-type']} ${describeEvent(event)}`);
      return track(rule, event);
    });
    return { matched, ends };
  };
  /** One delivery, `delayMs` from now; with a journal id, kept in the journal until it ends (delivered or dead). */
  const track = (rule: RuleModel, event: EventBridgeEvent, delayMs = 0, journalId?: string): Promise<DeliveryEnd> => {
    if (journalId !== undefined) journal?.add({ id: journalId, rule: rule.name, event });
    const delivery = later(delayMs)
      .then(() => deliver(rule, event, options, delay, () => closed))
      .catch((error: unknown): DeliveryEnd => {
        options.log.line('events', `delivery failed: ${messageOf(error)}`);
        return 'dead-lettered';
      })
      .then((end) => {
        if (journalId !== undefined && end !== 'closed') journal?.done(journalId);
        return end;
      });
    const tracked = delivery.then(() => undefined);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return delivery;
  };

  return {
    put(event) {
      const matched = matching(event);
      const fault = matched.length > 0 ? options.faults?.delivery(event) : undefined;
      const holdMs = fault?.holdMs ?? 0;
      const delays = [holdMs, ...(fault?.copyDelaysMs ?? []).map((copyDelay) => holdMs + copyDelay)];
      for (const rule of matched) {
        options.log.line('events', `${rule.name} -> ${rule.target}: ${event['detail-type']} ${describeEvent(event)}`);
        delays.forEach((delayMs, copy) => void track(rule, event, delayMs, `${event.id}/${rule.name}/${copy}`));
      }
      return matched;
    },
    async putAndSettle(event) {
      const ends = await Promise.all(dispatch(event).ends);
      return ends.every((end) => end !== 'closed');
    },
    invokeAsync(functionName, payload) {
      // Not a rule: no RetryPolicy of its own, no rule DLQ; the function's DeadLetterQueue takes what fails.
      const direct: RuleModel = {
        name: `${functionName} (asynchronous invocation)`,
        arn: '',
        pattern: {},
        target: functionName,
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 21_600 },
      };
      void track(direct, payload as EventBridgeEvent);
    },
    resume() {
      const unfinished = journal?.unfinished() ?? [];
      for (const { id, rule: name, event } of unfinished) {
        const rule = options.rules.find((candidate) => candidate.name === name);
        if (rule) void track(rule, event, 0, id);
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

/** Invokes the rule's target until it succeeds, the retries run out (then dead-letters the event) or the bus closes. */
async function deliver(
  rule: RuleModel,
  event: EventBridgeEvent,
  options: EventBusOptions,
  delay: (attempt: number) => number,
  closed: () => boolean,
): Promise<DeliveryEnd> {
  const payload =
    rule.input !== undefined ? JSON.parse(rule.input) : rule.inputPath ? pathValue(event, rule.inputPath) : event;
  const firstAttempt = Date.now();
  let functionErrors = 0;
  let deliveryErrors = 0;
  for (let attempt = 1; ; attempt += 1) {
    if (closed()) return 'closed';
    let outcome: InvokeOutcome | undefined;
    let deliveryError: unknown;
    try {
      outcome = await options.invoke(rule.target, payload);
    } catch (error) {
      deliveryError = error;
    }
    if (outcome?.ok) return 'delivered';
    if (outcome && !outcome.ok) {
      functionErrors += 1;
      options.log.line(
        'events',
        `${rule.target} failed on ${event['detail-type']} ${event.id}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
      if (functionErrors > FUNCTION_ERROR_RETRIES)
        return deadLettered(
          options,
          {
            rule,
            event,
            reason: 'function error after Lambda asynchronous retries',
            error: outcome.error,
            functionError: true,
          },
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
        return deadLettered(
          options,
          { rule, event, reason: 'target could not be invoked (RetryPolicy exhausted)', error, functionError: false },
          attempt,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay(attempt)));
  }
}

type DeliveryEnd = 'delivered' | 'dead-lettered' | 'closed';

function matchingRules(options: EventBusOptions, event: EventBridgeEvent): RuleModel[] {
  return options.rules.filter((rule) => {
    try {
      return matchesPattern(rule.pattern, event);
    } catch (error) {
      options.log.line('events', `rule ${rule.name}: ${messageOf(error)}`);
      return false;
    }
  });
}

function later(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function deadLettered(options: EventBusOptions, undeliverable: Undeliverable, attempts: number): DeliveryEnd {
  deadLetter(options, undeliverable, attempts);
  return 'dead-lettered';
}

/** What the log names an event by: an object's key, an execution's ARN and status, or the event id. */
function describeEvent(event: EventBridgeEvent): string {
  const detail = (event.detail ?? {}) as { object?: { key?: string }; executionArn?: string; status?: string };
  if (detail.object?.key !== undefined) return String(detail.object.key);
  if (detail.executionArn !== undefined) return `${detail.executionArn} ${String(detail.status)}`;
  return event.id;
}

interface Undeliverable {
  rule: RuleModel;
  event: EventBridgeEvent;
  reason: string;
  error: { errorType?: string | undefined; errorMessage?: string | undefined };
  functionError: boolean;
}

function deadLetter(options: EventBusOptions, undeliverable: Undeliverable, attempts: number): void {
  const { rule, event, reason, error } = undeliverable;
  const queue = sendToQueue(options, undeliverable);
  if (queue) {
    options.log.line(
      'events',
      `undeliverable after ${attempts} attempt(s): ${rule.name} -> ${rule.target} (${reason}); sent to ${queue}`,
    );
    return;
  }
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
}

/**
 * The message AWS would put in the queue: the event as its body; the rule's DLQ names the rule and target and the
 * error (EventBridge's attributes), a function's DLQ the error (Lambda's).
 */
function sendToQueue(
  options: EventBusOptions,
  { rule, event, error, functionError }: Undeliverable,
): string | undefined {
  const attributes: Record<string, string> = functionError
    ? { ErrorCode: '200', ErrorMessage: `${error.errorType ?? 'Error'}: ${error.errorMessage ?? ''}` }
    : {
        RULE_ARN: rule.arn,
        TARGET_ARN: rule.target,
        ERROR_CODE: error.errorType ?? 'Error',
        ERROR_MESSAGE: error.errorMessage ?? '',
      };
  try {
    return options.deadLetterQueue?.({ rule, functionError, body: JSON.stringify(event), attributes });
  } catch (sendError) {
    options.log.line('events', `cannot send to the dead-letter queue: ${messageOf(sendError)}`);
    return undefined;
  }
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
