import type { StackIdentity } from '../stack-model';
import type { CfnTemplate, CfnValue } from '../template';
import { conditionFunction, isConditionFunction, parameterRef, serviceAttribute } from './service-intrinsics';
import { TemplateError } from './template-error';

/**
 * CloudFormation's intrinsic functions (!Ref, !GetAtt, !Sub, !Join, !Select, !Split and the pseudo parameters)
 * resolved against the local stack's names: a bucket is its logical id in lower case (or its BucketName), a table,
 * function or state machine its logical id (or its TableName / FunctionName / Name).
 */

/** Resolves a template value; `where` names the place in the template for error messages. */
export type Resolve = (value: CfnValue, where?: string) => unknown;

/** How a resolved value reads where a string is wanted (environment variables, outputs, joins). */
export function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** CloudFormation's intrinsic functions over local names. */
export class Resolver {
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
      case 'AWS::SNS::Topic':
        return explicit('TopicName') ?? logicalId;
      case 'AWS::Cognito::UserPoolDomain':
        return explicit('Domain') ?? logicalId;
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
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${name}`;
      default:
        return `arn:aws:local:${region}:${accountId}:${logicalId}`;
    }
  }

  ref(name: string): string | string[] {
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
    if (name in this.parameters) return parameterRef(this.template, name, this.parameters[name] as string);
    const resource = this.resource(name);
    switch (resource.Type) {
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::Events::Rule':
      case 'AWS::SNS::Topic':
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
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return String(this.ref(logicalId));
    if (resource.Type === 'AWS::SNS::Topic' && (attribute === 'TopicArn' || attribute === 'TopicName'))
      return attribute === 'TopicArn' ? this.arnOf(logicalId) : this.physicalName(logicalId);
    if (resource.Type === 'AWS::S3::Bucket' && attribute === 'DomainName')
      return `${this.physicalName(logicalId)}.s3.amazonaws.com`;
    const value = serviceAttribute(resource.Type, logicalId, attribute, String(this.ref(logicalId)), this.identity);
    if (value !== undefined) return value;
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
          if (isConditionFunction(key) && (key !== 'Condition' || typeof argument === 'string'))
            return conditionFunction(this.template, key, argument, (item) => this.resolve(item, where), where);
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
      return String(this.ref(expression));
    });
  }
}
