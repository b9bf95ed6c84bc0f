import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../../support/asl-definition';
import { caseProblems, observe, type Expectations, type ObservedCase } from './expectations';
import type { SfnTarget } from './targets';

/**
 * The Step Functions Local test suite: deploy the definition, run every test case of the expectations on
 * `<arn>#<TestCase>`, compare each history with what the case expects.
 */
export interface CaseResult {
  testCase: string;
  passed: boolean;
  problems: string[];
  observed?: ObservedCase;
  history?: HistoryEvent[];
}

export interface SuiteResult {
  target: string;
  passed: number;
  failed: number;
  cases: CaseResult[];
}

export interface SuiteOptions {
  target: SfnTarget;
  definition: AslDefinition;
  expectations: Expectations;
  /** Run only these test cases. */
  only?: string[];
  log?: (line: string) => void;
}

export async function runSuite({ target, definition, expectations, only, log }: SuiteOptions): Promise<SuiteResult> {
  const arn = await target.deployStateMachine(expectations.stateMachineName, definition);
  const names = Object.keys(expectations.testCases).filter((name) => !only || only.includes(name));
  // Started together, as Step Functions runs them; each case has its own mocks and history.
  const cases = await Promise.all(
    names.map(async (testCase): Promise<CaseResult> => {
      const expected = expectations.testCases[testCase];
      if (!expected) return { testCase, passed: false, problems: ['no expectation'] };
      try {
        const executionArn = await target.startTestCase(arn, testCase, expectations.input);
        const history = await target.history(executionArn);
        const problems = caseProblems(history, expected, definition);
        return { testCase, passed: problems.length === 0, problems, observed: observe(history), history };
      } catch (error) {
        return { testCase, passed: false, problems: [`${(error as Error).name}: ${(error as Error).message}`] };
      }
    }),
  );
  for (const result of cases) {
    log?.(`${result.passed ? 'ok  ' : 'FAIL'} ${result.testCase}`);
    for (const problem of result.problems) log?.(`       ${problem}`);
  }
  const passed = cases.filter((result) => result.passed).length;
  return { target: target.description, passed, failed: cases.length - passed, cases };
}

export function summary(result: SuiteResult): string {
  return `${result.passed} passed, ${result.failed} failed (${result.target})`;
}
