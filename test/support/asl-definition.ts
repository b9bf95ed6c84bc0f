import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTemplate, PROJECT_ROOT, resourcesOfType, type CfnTemplate } from '../../local/template';

/**
 * The ImageProcessing ASL as deployed: read from the template's DefinitionUri with its DefinitionSubstitutions
 * resolved to Lambda ARNs, the way CloudFormation would (`!GetAtt Fn.Arn` -> a fake account's function ARN).
 */
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: Retrier[];
  Catch?: Catcher[];
  Branches?: AslDefinition[];
  Error?: string;
  Cause?: string;
  [field: string]: unknown;
}
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}
export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export function lambdaArn(logicalId: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
}

/** `!Ref` of an AWS::SNS::Topic is its ARN; CloudFormation names the topic after the stack and the logical id. */
export function topicArn(logicalId: string): string {
  return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
}

export function stateMachineArn(name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
}

export interface ImageProcessingDefinition {
  /** The logical id of the state machine in template.yaml, which is also its name locally. */
  name: string;
  /** The ASL with every ${...} replaced. */
  definition: AslDefinition;
  /** Raw ASL text, placeholders and all. */
  rawText: string;
  /** Function ARN -> logical id of the function it names. */
  functionOfArn: Record<string, string>;
}

export function imageProcessingDefinition(template: CfnTemplate = loadTemplate()): ImageProcessingDefinition {
  const machines = resourcesOfType(template, 'AWS::Serverless::StateMachine');
  const [name, machine] = machines[0] ?? [];
  if (!name || !machine || machines.length !== 1) throw new Error('template.yaml must have exactly one state machine');
  const props = machine.Properties ?? {};
  const rawText = readFileSync(path.join(PROJECT_ROOT, String(props.DefinitionUri)), 'utf8');
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const functionOfArn: Record<string, string> = {};
  const values = Object.fromEntries(
    Object.entries(substitutions).map(([placeholder, value]) => {
      const ref = (value as { Ref?: unknown } | null)?.Ref;
      if (typeof ref === 'string' && template.Resources[ref]?.Type === 'AWS::SNS::Topic') {
        return [placeholder, topicArn(ref)];
      }
      const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
      if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn')
        throw new Error(`Substitution ${placeholder} is neither !GetAtt <Function>.Arn nor !Ref <Topic>`);
      const arn = lambdaArn(String(getAtt[0]));
      functionOfArn[arn] = String(getAtt[0]);
      return [placeholder, arn];
    }),
  );
  const resolved = rawText.replace(/\$\{(\w+)\}/g, (whole, placeholder: string) => {
    const value = values[placeholder];
    if (value === undefined) throw new Error(`No DefinitionSubstitution for ${whole}`);
    return value;
  });
  return { name, definition: JSON.parse(resolved) as AslDefinition, rawText, functionOfArn };
}

/** Every state, branches included, with the lane it runs in: '' at the top, '<Parallel>/<branch>' inside one. */
export interface StateInfo {
  name: string;
  state: AslState;
  lane: string;
  /** The Parallel state whose branch holds it, if any. */
  parent?: string;
}

export function allStates(definition: AslDefinition, lane = '', parent?: string): StateInfo[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    { name, state, lane, ...(parent ? { parent } : {}) },
    ...(state.Branches ?? []).flatMap((branch, index) =>
      allStates(branch, `${lane ? `${lane}>` : ''}${name}/${index}`, name),
    ),
  ]);
}

export function taskStateNames(definition: AslDefinition): string[] {
  return allStates(definition)
    .filter(({ state }) => state.Type === 'Task')
    .map(({ name }) => name);
}

export function findState(definition: AslDefinition, name: string): AslState {
  const found = allStates(definition).find((info) => info.name === name);
  if (!found) throw new Error(`The ASL has no state ${name}`);
  return found.state;
}

/** ASL error matching: a name, States.ALL, or States.TaskFailed for anything but a timeout. */
export function errorMatches(errorEquals: string[], error: string): boolean {
  return errorEquals.some(
    (candidate) =>
      candidate === error ||
      candidate === 'States.ALL' ||
      (candidate === 'States.TaskFailed' && error !== 'States.Timeout'),
  );
}

export function cloneDefinition(definition: AslDefinition): AslDefinition {
  return structuredClone(definition);
}
