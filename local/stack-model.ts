import path from 'node:path';
import { Resolver, stringValue } from './model/intrinsics';
import { bucketModels, functionModels, outputModels, stateMachineModels, tableModels } from './model/resources';
import { ruleModels } from './model/rules';
import { queueModels, type QueueModel } from './model/queues';
import { topicModels, type TopicModel } from './model/topics';
import { TemplateError } from './model/template-error';
import {
  loadTemplate,
  parameterDefaults,
  TEMPLATE_PATH,
  type CfnTemplate,
  type CfnValue,
  type FunctionSpec,
} from './template';

/**
 * template.yaml as the local stack deploys it: every resource gets a local physical name and every intrinsic
 * (!Ref, !GetAtt, !Sub, ...) is resolved the way CloudFormation would, but against those names. Nothing here names
 * a resource of this project: change the template and the stack follows.
 *
 * This module is the model's shape and its assembly; local/model/ holds the parts: intrinsics.ts (the names and the
 * intrinsic functions), resources.ts (buckets, tables, functions, state machines, outputs), rules.ts (EventBridge).
 */

/** What loadStackModel throws for a template construct the local stack cannot resolve. */
export { TemplateError };

export interface StackIdentity {
  region: string;
  accountId: string;
  stackName: string;
  /** The endpoint functions and URLs in outputs point at, e.g. http://127.0.0.1:4566. */
  endpoint: string;
}

export interface BucketModel {
  logicalId: string;
  name: string;
  /** S3 sends "Object Created"/"Object Deleted" to EventBridge only when the bucket says so. */
  eventBridgeEnabled: boolean;
  cors: CorsRule[];
}

export interface CorsRule {
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposedHeaders?: string[];
  MaxAge?: number;
}

export interface TableModel {
  logicalId: string;
  name: string;
  /** A CreateTable request (DynamoDB API shape), resolved. */
  createTable: Record<string, unknown>;
}

export interface FunctionModel {
  logicalId: string;
  name: string;
  arn: string;
  spec: FunctionSpec;
  /** The template's variables, resolved to strings, as Lambda sets them. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Source file of the handler module (TypeScript entry point or plain JS under CodeUri). */
  sourceFile: string;
  /** The function's DeadLetterQueue (SQS ARN): where Lambda sends an asynchronous event that failed every retry. */
  deadLetterArn?: string;
  /** Export called by Lambda (the part of Handler after the last dot). */
  exportName: string;
  /** Handler file without extension, as esbuild names the bundle (dist/<LogicalId>/<this>.js). */
  handlerFile: string;
}

export interface RuleModel {
  /** SAM's logical id for the rule: <Function><EventName>, or the AWS::Events::Rule id. */
  name: string;
  arn: string;
  pattern: Record<string, unknown>;
  target: string;
  retryPolicy: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
  /** Where AWS would send undeliverable events (an SQS ARN); the local stack writes them to a file. */
  deadLetterArn?: string;
  input?: string;
  inputPath?: string;
}

export interface StateMachineModel {
  logicalId: string;
  name: string;
  arn: string;
  type: string;
  /** The ASL text with DefinitionSubstitutions applied. */
  definition: string;
  roleArn: string;
}

export interface StackModel {
  identity: StackIdentity;
  templatePath: string;
  codeRoot: string;
  parameters: Record<string, string>;
  buckets: BucketModel[];
  tables: TableModel[];
  functions: FunctionModel[];
  rules: RuleModel[];
  stateMachines: StateMachineModel[];
  /** SNS topics with their subscriptions (local/model/topics.ts). */
  topics: TopicModel[];
  /** SQS queues (local/model/queues.ts). */
  queues: QueueModel[];
  outputs: Record<string, { value: string; description?: string }>;
  /** Resolves any template value against the local names (exposed for tools and tests). */
  resolve(value: CfnValue): unknown;
}

export interface StackModelOptions {
  templatePath?: string;
  /** Where CodeUri, EntryPoints and DefinitionUri are looked up; the template's folder by default. */
  codeRoot?: string;
  identity: StackIdentity;
  parameterOverrides?: Record<string, string>;
}

export function loadStackModel(options: StackModelOptions): StackModel {
  const templatePath = path.resolve(options.templatePath ?? TEMPLATE_PATH);
  return stackModel(loadTemplate(templatePath), { ...options, templatePath });
}

export function stackModel(template: CfnTemplate, options: StackModelOptions): StackModel {
  const templatePath = path.resolve(options.templatePath ?? TEMPLATE_PATH);
  const codeRoot = path.resolve(options.codeRoot ?? path.dirname(templatePath));
  const { identity } = options;
  const parameters = resolveParameters(template, options.parameterOverrides ?? {});
  const resolver = new Resolver(template, identity, parameters);
  const resolve = (value: CfnValue, where = 'template') => resolver.resolve(value, where);
  return {
    identity,
    templatePath,
    codeRoot,
    parameters,
    buckets: bucketModels(template, resolve, resolver),
    tables: tableModels(template, resolve, resolver),
    functions: functionModels(template, resolve, resolver, codeRoot),
    rules: ruleModels(template, resolve, resolver),
    stateMachines: stateMachineModels(template, resolve, resolver, codeRoot, identity),
    topics: topicModels(template, resolve, resolver),
    queues: queueModels(template, resolver),
    outputs: outputModels(template, resolve),
    resolve: (value) => resolve(value),
  };
}

function resolveParameters(template: CfnTemplate, overrides: Record<string, string>): Record<string, string> {
  const defaults = parameterDefaults(template);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(defaults)) {
    const chosen = overrides[name] ?? value;
    if (chosen === undefined) throw new TemplateError(`Parameter ${name} has no Default; pass a value for it`);
    values[name] = stringValue(chosen);
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in values)) throw new TemplateError(`Unknown parameter ${name}`);
  }
  return values;
}
