import type { MockConfig } from '../../../local/stepfunctions/mock-config';
import { allStates, type AslDefinition } from '../../support/asl-definition';
import type { Expectations } from './expectations';

/**
 * What the MockConfigFile and the expectations must cover of the ASL: HappyPath mocks every Task state (so a new
 * Task without a mock is noticed), every test case has an expectation and the other way round, every state is entered
 * by some case, and every way an execution can end is the last state of some case.
 */
export function coverageProblems(config: MockConfig, definition: AslDefinition, expectations: Expectations): string[] {
  const problems: string[] = [];
  const states = allStates(definition);
  const names = new Set(states.map(({ name }) => name));
  const tasks = states.filter(({ state }) => state.Type === 'Task').map(({ name }) => name);
  const machine = config.StateMachines[expectations.stateMachineName];
  if (!machine) return [`MockConfigFile has no state machine ${expectations.stateMachineName}`];

  const happy = machine.TestCases.HappyPath ?? {};
  for (const task of tasks) if (!(task in happy)) problems.push(`HappyPath has no mock for Task state ${task}`);

  for (const [testCase, mocks] of Object.entries(machine.TestCases)) {
    if (!(testCase in expectations.testCases)) problems.push(`test case ${testCase} has no expectation`);
    for (const state of Object.keys(mocks)) {
      if (!names.has(state)) problems.push(`test case ${testCase} mocks ${state}, which the ASL does not have`);
      else if (!tasks.includes(state)) problems.push(`test case ${testCase} mocks ${state}, which is not a Task state`);
    }
  }
  for (const testCase of Object.keys(expectations.testCases)) {
    if (!(testCase in machine.TestCases))
      problems.push(`expectation ${testCase} has no test case in the MockConfigFile`);
  }

  const entered = new Set(Object.values(expectations.testCases).flatMap((expected) => expected.statesEntered));
  for (const name of names) if (!entered.has(name)) problems.push(`no test case enters ${name}`);

  const lastStates = new Set(Object.values(expectations.testCases).map((expected) => expected.statesEntered.at(-1)));
  for (const terminal of terminalStates(definition)) {
    if (!lastStates.has(terminal)) problems.push(`no test case ends in ${terminal}`);
  }
  // A top-level Task without a States.ALL catcher can end the execution with its own error.
  for (const { name, state } of states.filter((info) => info.lane === '' && info.state.Type === 'Task')) {
    const catchesAll = (state.Catch ?? []).some((catcher) => catcher.ErrorEquals.includes('States.ALL'));
    if (!catchesAll && !lastStates.has(name)) problems.push(`no test case ends with an uncaught error in ${name}`);
  }
  return problems;
}

/** The top-level states an execution can end in: Succeed, Fail, and any state with End. */
export function terminalStates(definition: AslDefinition): string[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true)
    .map(([name]) => name);
}
