import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { PROJECT_ROOT } from '../../../local/template';
import { allStates, errorMatches, type AslDefinition } from '../../support/asl-definition';
import { attemptsByState, outcomeOf, retriesByState, statesEntered, type ExecutionOutcome } from './history';

/** statemachine/test/expectations.json: what each MockConfigFile test case must do. */
export interface CaseExpectation {
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  /** States entered in order; states of different Parallel branches may interleave in any order. */
  statesEntered: string[];
  /** States that may or may not be entered (a sibling branch cut short by a failing branch). */
  mayEnter?: string[];
  /** Retries per state; a state not listed must not be retried. */
  retries: Record<string, number>;
}

export interface Expectations {
  stateMachineName: string;
  input: unknown;
  testCases: Record<string, CaseExpectation>;
}

export const SFN_TEST_DIR = path.join(PROJECT_ROOT, 'statemachine/test');
export const MOCK_CONFIG_PATH = path.join(SFN_TEST_DIR, 'MockConfigFile.json');
export const EXPECTATIONS_PATH = path.join(SFN_TEST_DIR, 'expectations.json');

export function loadExpectations(file = EXPECTATIONS_PATH): Expectations {
  return JSON.parse(readFileSync(file, 'utf8')) as Expectations;
}

export interface ObservedCase extends ExecutionOutcome {
  statesEntered: string[];
  retries: Record<string, number>;
}

export function observe(history: HistoryEvent[]): ObservedCase {
  return { ...outcomeOf(history), statesEntered: statesEntered(history), retries: retriesByState(history) };
}

/** Every difference between an execution's history and its expectation, and every retry the ASL does not allow. */
export function caseProblems(history: HistoryEvent[], expected: CaseExpectation, definition: AslDefinition): string[] {
  const observed = observe(history);
  const problems: string[] = [];
  if (observed.status !== expected.status) {
    problems.push(
      `status ${observed.status}${observed.error ? ` (${observed.error})` : ''}, expected ${expected.status}`,
    );
  }
  if (expected.error !== undefined && observed.error !== expected.error)
    problems.push(`error ${observed.error}, expected ${expected.error}`);
  if (expected.cause !== undefined && observed.cause !== expected.cause) {
    problems.push(`cause ${JSON.stringify(observed.cause)}, expected ${JSON.stringify(expected.cause)}`);
  }
  problems.push(...pathProblems(observed.statesEntered, expected, definition));

  const states = new Set([...Object.keys(observed.retries), ...Object.keys(expected.retries)]);
  for (const state of states) {
    const actual = observed.retries[state] ?? 0;
    const wanted = expected.retries[state] ?? 0;
    if (actual !== wanted) problems.push(`${state} retried ${actual} time(s), expected ${wanted}`);
  }
  problems.push(...retryPolicyProblems(history, definition));
  return problems;
}

/**
 * Compares the states entered lane by lane: the top level and each Parallel branch must each match in order, and
 * a branch's states must come after their Parallel state was entered. `mayEnter` states are ignored when present.
 */
export function pathProblems(entered: string[], expected: CaseExpectation, definition: AslDefinition): string[] {
  const info = new Map(allStates(definition).map((state) => [state.name, state]));
  const optional = new Set((expected.mayEnter ?? []).filter((name) => !expected.statesEntered.includes(name)));
  const actual = entered.filter((name) => !optional.has(name));
  const laneOf = (name: string) => info.get(name)?.lane ?? `unknown state ${name}`;
  const lanes = new Set([...actual, ...expected.statesEntered].map(laneOf));
  const problems: string[] = [];
  for (const lane of lanes) {
    const got = actual.filter((name) => laneOf(name) === lane);
    const want = expected.statesEntered.filter((name) => laneOf(name) === lane);
    if (got.join() !== want.join()) {
      problems.push(`states entered${lane ? ` in ${lane}` : ''}: [${got.join(', ')}], expected [${want.join(', ')}]`);
    }
  }
  entered.forEach((name, index) => {
    const parent = info.get(name)?.parent;
    if (parent && !entered.slice(0, index).includes(parent))
      problems.push(`${name} entered before its Parallel state ${parent}`);
  });
  return problems;
}

/**
 * Replays the ASL's Retry rules over each Task's attempts: every failed attempt but the last must have been retried
 * by a retrier whose ErrorEquals matches and whose MaxAttempts was not used up, and a last failed attempt must have
 * had no retrier left (anything else means the engine retried more, or less, than the definition says).
 */
export function retryPolicyProblems(history: HistoryEvent[], definition: AslDefinition): string[] {
  const states = new Map(allStates(definition).map((state) => [state.name, state.state]));
  const ended = outcomeOf(history).status !== 'RUNNING';
  const problems: string[] = [];
  for (const [name, attempts] of Object.entries(attemptsByState(history))) {
    const retriers = states.get(name)?.Retry ?? [];
    const used = retriers.map(() => 0);
    attempts.forEach((attempt, index) => {
      const isLast = index === attempts.length - 1;
      if (attempt.error === undefined) {
        if (!isLast) problems.push(`${name}: attempt ${index + 1} succeeded but was tried again`);
        return;
      }
      const retrier = retriers.findIndex((candidate) => errorMatches(candidate.ErrorEquals, attempt.error as string));
      const allowed = retrier >= 0 && (used[retrier] as number) < (retriers[retrier]?.MaxAttempts ?? 3);
      if (!isLast && !allowed) problems.push(`${name}: ${attempt.error} was retried, which its Retry does not allow`);
      if (isLast && allowed && ended) {
        problems.push(`${name}: ${attempt.error} was not retried, although its Retry allows it`);
      }
      if (allowed) used[retrier] = (used[retrier] as number) + 1;
    });
  }
  return problems;
}
