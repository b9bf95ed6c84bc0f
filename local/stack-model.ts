import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  functionSpecs,
  loadTemplate,
  parameterDefaults,
  resourcesOfType,
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
 * Local names: a bucket is its logical id in lower case (or its BucketName), a table, function or state machine is
 * its logical id (or its TableName / FunctionName / Name).
 */
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

/** A template construct the local stack cannot resolve; the message says which and where. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
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

  const buckets = resourcesOfType(template, 'AWS::S3::Bucket').map(([logicalId, resource]): BucketModel => {
    const props = resource.Properties ?? {};
    const notification = resolve(props.NotificationConfiguration ?? {}, logicalId) as {
      EventBridgeConfiguration?: { EventBridgeEnabled?: unknown };
    };
    const cors = resolve(
      (props.CorsConfiguration as { CorsRules?: unknown } | undefined)?.CorsRules ?? [],
      logicalId,
    ) as CorsRule[];
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      eventBridgeEnabled: String(notification.EventBridgeConfiguration?.EventBridgeEnabled) === 'true',
      cors,
    };
  });

  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId, resource]): TableModel => {
    const props = resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      createTable: createTableRequest(resolver.physicalName(logicalId), props),
    };
  });

  const functions = functionSpecs(template).map((spec): FunctionModel => {
    const environment = Object.fromEntries(
      Object.entries(spec.environment).map(([name, value]) => [
        name,
        stringValue(resolve(value, `${spec.logicalId}.Environment.${name}`)),
      ]),
    );
    const { sourceFile, exportName, handlerFile } = handlerLocation(spec, codeRoot);
    return {
      logicalId: spec.logicalId,
      name: resolver.physicalName(spec.logicalId),
      arn: resolver.arnOf(spec.logicalId),
      spec,
      environment,
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      sourceFile,
      exportName,
      handlerFile,
    };
  });

  const rules = [...samRules(template, resolve, resolver), ...eventsRules(template, resolve, resolver)];

  const stateMachines = resourcesOfType(template, 'AWS::Serverless::StateMachine').map(
    ([logicalId, resource]): StateMachineModel => {
      const props = resource.Properties ?? {};
      const substitutions = resolve(
        props.DefinitionSubstitutions ?? {},
        `${logicalId}.DefinitionSubstitutions`,
      ) as Record<string, unknown>;
      let text: string;
      if (props.DefinitionUri !== undefined) {
        if (typeof props.DefinitionUri !== 'string')
          throw new TemplateError(`${logicalId}.DefinitionUri: only a local file path is supported`);
        const file = path.resolve(codeRoot, props.DefinitionUri);
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          throw new TemplateError(`${logicalId}.DefinitionUri: cannot read ${file}: ${(error as Error).message}`);
        }
      } else if (props.Definition !== undefined) {
        text = JSON.stringify(props.Definition);
      } else {
        throw new TemplateError(`${logicalId} has neither DefinitionUri nor Definition`);
      }
      const definition = text.replace(/\$\{([\w.:-]+)\}/g, (whole, placeholder: string) => {
        if (!(placeholder in substitutions))
          throw new TemplateError(`${logicalId}: no DefinitionSubstitution for ${whole}`);
        return stringValue(substitutions[placeholder]);
      });
      return {
        logicalId,
        name: resolver.physicalName(logicalId),
        arn: resolver.arnOf(logicalId),
        type: String(props.Type ?? 'STANDARD'),
        definition,
        roleArn: `arn:aws:iam::${identity.accountId}:role/${logicalId}Role`,
      };
    },
  );

  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([name, output]) => [
      name,
      {
        value: stringValue(resolve(output.Value, `Outputs.${name}`)),
        ...((output as { Description?: string }).Description
          ? { description: (output as { Description?: string }).Description }
          : {}),
      },
    ]),
  );

  return {
    identity,
    templatePath,
    codeRoot,
    parameters,
    buckets,
    tables,
    functions,
    rules,
    stateMachines,
    outputs,
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

function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function handlerLocation(spec: FunctionSpec, codeRoot: string) {
  const dot = spec.handler.lastIndexOf('.');
  if (dot <= 0) throw new TemplateError(`${spec.logicalId}.Handler "${spec.handler}" is not <file>.<export>`);
  const handlerFile = spec.handler.slice(0, dot);
  const exportName = spec.handler.slice(dot + 1);
  const base = path.basename(handlerFile);
  const entry = spec.entryPoints.find((entryPoint) => path.basename(entryPoint).replace(/\.[cm]?[jt]s$/, '') === base);
  const sourceFile = path.resolve(codeRoot, spec.codeUri, entry ?? handlerFile);
  return { sourceFile, exportName, handlerFile };
}

/** CloudFormation table properties -> the CreateTable request the local DynamoDB gets. */
function createTableRequest(name: string, props: Record<string, unknown>): Record<string, unknown> {
  const request: Record<string, unknown> = {
    TableName: name,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
  };
  const billing = props.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  request.BillingMode = billing;
  const throughput = (value: unknown) =>
    billing === 'PROVISIONED'
      ? { ProvisionedThroughput: value ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }
      : {};
  Object.assign(request, throughput(props.ProvisionedThroughput));
  const indexes = (list: unknown, provisioned: boolean) =>
    (list as Record<string, unknown>[]).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      ...(provisioned ? throughput(index.ProvisionedThroughput) : {}),
    }));
  if (Array.isArray(props.GlobalSecondaryIndexes) && props.GlobalSecondaryIndexes.length > 0) {
    request.GlobalSecondaryIndexes = indexes(props.GlobalSecondaryIndexes, true);
  }
  if (Array.isArray(props.LocalSecondaryIndexes) && props.LocalSecondaryIndexes.length > 0) {
    request.LocalSecondaryIndexes = indexes(props.LocalSecondaryIndexes, false);
  }
  return request;
}

type Resolve = (value: CfnValue, where?: string) => unknown;

function samRules(template: CfnTemplate, resolve: Resolve, resolver: Resolver): RuleModel[] {
  return functionSpecs(template).flatMap((spec) =>
    Object.entries(spec.events)
      .filter(([, event]) => event.Type === 'EventBridgeRule' || event.Type === 'CloudWatchEvent')
      .map(([eventName, event]): RuleModel => {
        const props = (event.Properties ?? {}) as Record<string, unknown>;
        const name = `${spec.logicalId}${eventName}`;
        const retry = (resolve(props.RetryPolicy ?? {}, name) ?? {}) as {
          MaximumRetryAttempts?: unknown;
          MaximumEventAgeInSeconds?: unknown;
        };
        const deadLetter = resolve(props.DeadLetterConfig ?? {}, name) as { Arn?: unknown };
        return {
          name,
          arn: resolver.ruleArn(name),
          pattern: resolve(props.Pattern ?? {}, `${name}.Pattern`) as Record<string, unknown>,
          target: resolver.physicalName(spec.logicalId),
          retryPolicy: retryPolicy(retry),
          ...(typeof deadLetter.Arn === 'string' ? { deadLetterArn: deadLetter.Arn } : {}),
          ...(props.Input !== undefined ? { input: String(resolve(props.Input, name)) } : {}),
          ...(props.InputPath !== undefined ? { inputPath: String(resolve(props.InputPath, name)) } : {}),
        };
      }),
  );
}

/** Plain AWS::Events::Rule resources whose targets are functions of the template. */
function eventsRules(template: CfnTemplate, resolve: Resolve, resolver: Resolver): RuleModel[] {
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    if (!props.EventPattern || String(props.State ?? 'ENABLED') !== 'ENABLED') return [];
    const targets = (props.Targets ?? []) as Record<string, unknown>[];
    return targets.flatMap((target): RuleModel[] => {
      const arn = resolve(target.Arn, `${logicalId}.Targets`);
      const functionName = typeof arn === 'string' ? /:function:([^:]+)/.exec(arn)?.[1] : undefined;
      if (!functionName) return [];
      const retry = (resolve(target.RetryPolicy ?? {}, logicalId) ?? {}) as {
        MaximumRetryAttempts?: unknown;
        MaximumEventAgeInSeconds?: unknown;
      };
      const deadLetter = resolve(target.DeadLetterConfig ?? {}, logicalId) as { Arn?: unknown };
      return [
        {
          name: logicalId,
          arn: resolver.ruleArn(logicalId),
          pattern: resolve(props.EventPattern, `${logicalId}.EventPattern`) as Record<string, unknown>,
          target: functionName,
          retryPolicy: retryPolicy(retry),
          ...(typeof deadLetter.Arn === 'string' ? { deadLetterArn: deadLetter.Arn } : {}),
          ...(target.Input !== undefined ? { input: String(resolve(target.Input, logicalId)) } : {}),
          ...(target.InputPath !== undefined ? { inputPath: String(resolve(target.InputPath, logicalId)) } : {}),
        },
      ];
    });
  });
}

function retryPolicy(retry: { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown }) {
  // EventBridge's defaults: 185 retries over 24 hours.
  return {
    maximumRetryAttempts: retry.MaximumRetryAttempts === undefined ? 185 : Number(retry.MaximumRetryAttempts),
    maximumEventAgeSeconds:
      retry.MaximumEventAgeInSeconds === undefined ? 86_400 : Number(retry.MaximumEventAgeInSeconds),
  };
}

/** CloudFormation's intrinsic functions over local names. */
class Resolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly identity: StackIdentity,
    private readonly parameters: Record<string, string>,
  ) {}

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new TemplateError(`No resource or parameter named ${logicalId}`);
    return resource;
  }

  /** What !Ref answers for a resource's name-like identity, before any ARN. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const props = resource.Properties ?? {};
    const explicit = (field: string) =>
      props[field] !== undefined ? stringValue(this.resolve(props[field], `${logicalId}.${field}`)) : undefined;
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return explicit('BucketName') ?? logicalId.toLowerCase();
      case 'AWS::DynamoDB::Table':
        return explicit('TableName') ?? logicalId;
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function':
        return explicit('FunctionName') ?? logicalId;
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine':
        return explicit('Name') ?? explicit('StateMachineName') ?? logicalId;
      case 'AWS::SQS::Queue':
        return explicit('QueueName') ?? logicalId;
      case 'AWS::Logs::LogGroup':
        return explicit('LogGroupName') ?? logicalId;
      default:
        return logicalId;
    }
  }

  ruleArn(name: string): string {
    const { region, accountId } = this.identity;
    return `arn:aws:events:${region}:${accountId}:rule/${name}`;
  }

  arnOf(logicalId: string): string {
    const { region, accountId } = this.identity;
    const resource = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${accountId}:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${accountId}:log-group:${name}:*`;
      case 'AWS::Events::Rule':
        return this.ruleArn(logicalId);
      default:
        return `arn:aws:local:${region}:${accountId}:${logicalId}`;
    }
  }

  ref(name: string): string {
    const { region, accountId, stackName } = this.identity;
    switch (name) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return accountId;
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return '';
      default:
    }
    if (name in this.parameters) {
      const value = this.parameters[name] as string;
      // A list parameter's !Ref is a list, as !Join and !Select expect.
      return /^(CommaDelimitedList|List<.+>)$/.test(this.template.Parameters?.[name]?.Type ?? '')
        ? (value.split(',') as unknown as string)
        : value;
    }
    const resource = this.resource(name);
    switch (resource.Type) {
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::Events::Rule':
        return this.arnOf(name);
      case 'AWS::SQS::Queue':
        return `${this.identity.endpoint}/${accountId}/${this.physicalName(name)}`;
      default:
        return this.physicalName(name);
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TableName')
      return this.physicalName(logicalId);
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(logicalId);
    if (resource.Type === 'AWS::S3::Bucket' && attribute === 'DomainName')
      return `${this.physicalName(logicalId)}.s3.amazonaws.com`;
    if (resource.Type === 'AWS::CloudFront::Distribution' && attribute === 'DomainName')
      return `${this.physicalName(logicalId).toLowerCase()}.cloudfront.net`;
    throw new TemplateError(`!GetAtt ${logicalId}.${attribute} is not supported by the local stack`);
  }

  resolve(value: CfnValue, where: string): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0] as [string, unknown];
      switch (key) {
        case 'Ref':
          return this.ref(String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, ...attribute] = Array.isArray(argument)
            ? argument.map(String)
            : String(argument).split('.');
          return this.getAtt(String(logicalId), attribute.join('.'));
        }
        case 'Fn::Sub':
          return this.sub(argument, where);
        case 'Fn::Join': {
          const [separator, list] = argument as [string, unknown];
          return (this.resolve(list, where) as unknown[]).map(stringValue).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          return (this.resolve(list, where) as unknown[])[Number(this.resolve(index, where))];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return stringValue(this.resolve(text, where)).split(separator);
        }
        default:
          if (key.startsWith('Fn::')) throw new TemplateError(`${where}: ${key} is not supported by the local stack`);
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item, where)]));
  }

  private sub(argument: unknown, where: string): string {
    const [text, variables] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [String(argument), {}];
    const values = Object.fromEntries(
      Object.entries(variables ?? {}).map(([name, v]) => [name, stringValue(this.resolve(v, where))]),
    );
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_whole, literal: string, expression: string) => {
      if (literal) return `\${${expression}}`;
      if (expression in values) return values[expression] as string;
      const dot = expression.indexOf('.');
      if (dot > 0 && !expression.startsWith('AWS::'))
        return this.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
      return this.ref(expression);
    });
  }
}
