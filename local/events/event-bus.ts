import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { InvokeOutcome } from '../lambda/outcome';
import { messageOf, type StackLog } from '../log';
import type { RuleModel } from '../stack-model';
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
}

const FUNCTION_ERROR_RETRIES = 2;

export function createEventBus(options: EventBusOptions): EventBus {
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  const delay = options.retryDelayMs ?? ((attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1)));

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
      for (const rule of matched) {
        options.log.line(
          'events',
          `${rule.name} -> ${rule.target}: ${event['detail-type']} ${String((event.detail as { object?: { key?: string } }).object?.key ?? event.id)}`,
        );
        const delivery = deliver(rule, event, options, delay, () => closed).catch((error: unknown) =>
          options.log.line('events', `delivery failed: ${messageOf(error)}`),
        );
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      }
      return matched;
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
): Promise<void> {
  const payload =
    rule.input !== undefined ? JSON.parse(rule.input) : rule.inputPath ? pathValue(event, rule.inputPath) : event;
  const firstAttempt = Date.now();
  let functionErrors = 0;
  let deliveryErrors = 0;
  for (let attempt = 1; ; attempt += 1) {
    if (closed()) return;
    let outcome: InvokeOutcome | undefined;
    let deliveryError: unknown;
    try {
      outcome = await options.invoke(rule.target, payload);
    } catch (error) {
      deliveryError = error;
    }
    if (outcome?.ok) return;
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

function deadLetter(options: EventBusOptions, { rule, event, reason, error }: Undeliverable, attempts: number): void {
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
