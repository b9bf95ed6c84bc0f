import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

/**
 * Reads template.yaml, the one source of truth for resources. CloudFormation short-form tags (!Ref, !GetAtt,
 * !Sub, ...) become their long form ({ Ref: ... }, { 'Fn::GetAtt': [...] }), so the same object can be
 * resolved for the local stack or checked by tests.
 */
export type CfnValue = unknown;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Metadata?: Record<string, CfnValue>;
  /** The name of a Conditions entry: the resource exists only when it holds. */
  Condition?: string;
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, CfnValue>;
  Globals?: { Function?: Record<string, CfnValue> };
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: CfnValue }>;
}

const INTRINSICS: Record<string, string> = {
  Ref: 'Ref',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Not: 'Fn::Not',
  FindInMap: 'Fn::FindInMap',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  Condition: 'Condition',
};

const cfnTags: (ScalarTag | CollectionTag)[] = Object.entries(INTRINSICS).flatMap(([short, long]) => {
  const wrap = (value: unknown) => ({ [long]: value });
  const scalar: ScalarTag = {
    tag: `!${short}`,
    resolve: (value: string) => (short === 'GetAtt' ? wrap(splitGetAtt(value)) : wrap(value)),
  };
  const seq: CollectionTag = {
    tag: `!${short}`,
    collection: 'seq',
    resolve: (value) => wrap((value as { toJSON(): unknown }).toJSON()),
  };
  const map: CollectionTag = {
    tag: `!${short}`,
    collection: 'map',
    resolve: (value) => wrap((value as { toJSON(): unknown }).toJSON()),
  };
  return [scalar, seq, map];
});

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

export function parseTemplate(text: string): CfnTemplate {
  const parsed = parse(text, { customTags: cfnTags, uniqueKeys: true }) as CfnTemplate | null;
  if (!parsed || typeof parsed !== 'object' || !parsed.Resources) throw new Error('template.yaml has no Resources');
  return parsed;
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TEMPLATE_PATH = path.join(PROJECT_ROOT, 'template.yaml');

export function loadTemplate(templatePath = TEMPLATE_PATH): CfnTemplate {
  return parseTemplate(readFileSync(templatePath, 'utf8'));
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** A serverless function with Globals applied, as SAM would see it. */
export interface FunctionSpec {
  logicalId: string;
  handler: string;
  runtime: string;
  codeUri: string;
  timeoutSeconds: number;
  memoryMb: number;
  environment: Record<string, CfnValue>;
  entryPoints: string[];
  buildProperties: Record<string, CfnValue>;
  events: Record<string, { Type: string; Properties?: Record<string, CfnValue> }>;
  properties: Record<string, CfnValue>;
}

export function functionSpecs(template: CfnTemplate): FunctionSpec[] {
  const globals = template.Globals?.Function ?? {};
  return resourcesOfType(template, 'AWS::Serverless::Function').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const merged = { ...globals, ...props } as Record<string, CfnValue>;
    const globalEnv = (globals.Environment as { Variables?: Record<string, CfnValue> } | undefined)?.Variables ?? {};
    const ownEnv = (props.Environment as { Variables?: Record<string, CfnValue> } | undefined)?.Variables ?? {};
    const build = (resource.Metadata?.BuildProperties ?? {}) as Record<string, CfnValue>;
    return {
      logicalId,
      handler: String(merged.Handler),
      runtime: String(merged.Runtime),
      codeUri: String(merged.CodeUri ?? '.'),
      timeoutSeconds: Number(merged.Timeout ?? 3),
      memoryMb: Number(merged.MemorySize ?? 128),
      environment: { ...globalEnv, ...ownEnv },
      entryPoints: (build.EntryPoints as string[] | undefined) ?? [],
      buildProperties: build,
      events: (props.Events ?? {}) as FunctionSpec['events'],
      properties: props,
    };
  });
}

/** Parameter defaults, the values `sam deploy` uses when no override is given. */
export function parameterDefaults(template: CfnTemplate): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, p.Default]));
}
