import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  BucketModel,
  CorsRule,
  FunctionModel,
  StackIdentity,
  StackModel,
  StateMachineModel,
  TableModel,
} from '../stack-model';
import { functionSpecs, resourcesOfType, type CfnTemplate, type FunctionSpec } from '../template';
import { stringValue, type Resolve, type Resolver } from './intrinsics';
import { TemplateError } from './template-error';

/** Each resource type of the template as the local stack deploys it, with its properties resolved. */

export function bucketModels(template: CfnTemplate, resolve: Resolve, resolver: Resolver): BucketModel[] {
  return resourcesOfType(template, 'AWS::S3::Bucket').map(([logicalId, resource]): BucketModel => {
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
}

export function tableModels(template: CfnTemplate, resolve: Resolve, resolver: Resolver): TableModel[] {
  return resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId, resource]): TableModel => {
    const props = resolve(resource.Properties ?? {}, logicalId) as Record<string, unknown>;
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      createTable: createTableRequest(resolver.physicalName(logicalId), props),
    };
  });
}

export function functionModels(
  template: CfnTemplate,
  resolve: Resolve,
  resolver: Resolver,
  codeRoot: string,
): FunctionModel[] {
  return functionSpecs(template).map((spec): FunctionModel => {
    const environment = Object.fromEntries(
      Object.entries(spec.environment).map(([name, value]) => [
        name,
        stringValue(resolve(value, `${spec.logicalId}.Environment.${name}`)),
      ]),
    );
    const { sourceFile, exportName, handlerFile } = handlerLocation(spec, codeRoot);
    const deadLetter = spec.properties.DeadLetterQueue as { TargetArn?: unknown } | undefined;
    const deadLetterArn = deadLetter?.TargetArn
      ? resolve(deadLetter.TargetArn, `${spec.logicalId}.DeadLetterQueue`)
      : undefined;
    return {
      logicalId: spec.logicalId,
      name: resolver.physicalName(spec.logicalId),
      arn: resolver.arnOf(spec.logicalId),
      spec,
      environment,
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      ...(typeof deadLetterArn === 'string' ? { deadLetterArn } : {}),
      sourceFile,
      exportName,
      handlerFile,
    };
  });
}

/** Each state machine's ASL (DefinitionUri file or inline Definition) with its DefinitionSubstitutions applied. */
export function stateMachineModels(
  template: CfnTemplate,
  resolve: Resolve,
  resolver: Resolver,
  codeRoot: string,
  identity: StackIdentity,
): StateMachineModel[] {
  return resourcesOfType(template, 'AWS::Serverless::StateMachine').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const substitutions = resolve(
      props.DefinitionSubstitutions ?? {},
      `${logicalId}.DefinitionSubstitutions`,
    ) as Record<string, unknown>;
    const definition = definitionText(logicalId, props, codeRoot).replace(
      /\$\{([\w.:-]+)\}/g,
      (whole, placeholder: string) => {
        if (!(placeholder in substitutions))
          throw new TemplateError(`${logicalId}: no DefinitionSubstitution for ${whole}`);
        return stringValue(substitutions[placeholder]);
      },
    );
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      arn: resolver.arnOf(logicalId),
      type: String(props.Type ?? 'STANDARD'),
      definition,
      roleArn: `arn:aws:iam::${identity.accountId}:role/${logicalId}Role`,
    };
  });
}

export function outputModels(template: CfnTemplate, resolve: Resolve): StackModel['outputs'] {
  return Object.fromEntries(
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
}

function definitionText(logicalId: string, props: Record<string, unknown>, codeRoot: string): string {
  if (props.DefinitionUri !== undefined) {
    if (typeof props.DefinitionUri !== 'string')
      throw new TemplateError(`${logicalId}.DefinitionUri: only a local file path is supported`);
    const file = path.resolve(codeRoot, props.DefinitionUri);
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new TemplateError(`${logicalId}.DefinitionUri: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (props.Definition !== undefined) return JSON.stringify(props.Definition);
  throw new TemplateError(`${logicalId} has neither DefinitionUri nor Definition`);
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
