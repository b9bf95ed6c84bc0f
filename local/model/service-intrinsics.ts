import type { CfnTemplate } from '../template';

/**
 * The intrinsics the front door's resources need beyond names and ARNs: conditions (Fn::If and the functions a
 * Conditions entry is made of), list parameters, and the attributes of resources the local stack answers with URLs
 * (a user pool, its client and domain, an HTTP API, a CloudFront distribution). The attribute values are shaped like
 * AWS's; local/frontdoor/local-urls.ts maps the URLs among them to the local endpoint.
 */
export type ResolveValue = (value: unknown) => unknown;

const CONDITION_FUNCTIONS = new Set(['Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition']);

export function isConditionFunction(key: string): boolean {
  return CONDITION_FUNCTIONS.has(key);
}

/** Evaluates one of CONDITION_FUNCTIONS; `where` names the place for error messages. */
export function conditionFunction(
  template: CfnTemplate,
  key: string,
  argument: unknown,
  resolve: ResolveValue,
  where: string,
): unknown {
  const list = (count: number) => {
    if (!Array.isArray(argument) || argument.length !== count)
      throw new Error(`${where}: ${key} takes a list of ${count} values`);
    return argument as unknown[];
  };
  switch (key) {
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = list(3);
      return resolve(conditionNamed(template, String(name), resolve, where) ? whenTrue : whenFalse);
    }
    case 'Fn::Equals': {
      const [left, right] = list(2).map((value) => scalar(resolve(value)));
      return left === right;
    }
    case 'Fn::Not':
      return !truth(resolve(list(1)[0]), where);
    case 'Fn::And':
      return (argument as unknown[]).every((value) => truth(resolve(value), where));
    case 'Fn::Or':
      return (argument as unknown[]).some((value) => truth(resolve(value), where));
    default:
      return conditionNamed(template, String(argument), resolve, where);
  }
}

function conditionNamed(template: CfnTemplate, name: string, resolve: ResolveValue, where: string): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`${where}: no condition named ${name}`);
  return truth(resolve(condition), `Conditions.${name}`);
}

function truth(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${where}: a condition must be true or false, got ${JSON.stringify(value)}`);
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What !Ref answers for a parameter: a list for CommaDelimitedList and List<...> types, else the string. */
export function parameterRef(template: CfnTemplate, name: string, value: string): string | string[] {
  const type = template.Parameters?.[name]?.Type ?? 'String';
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) return value === '' ? [] : value.split(',');
  return value;
}

/**
 * !GetAtt of a front-door resource, shaped as on AWS (`ref` is what !Ref answers for it); undefined when the
 * local stack knows no value for that attribute.
 */
export function serviceAttribute(
  type: string,
  logicalId: string,
  attribute: string,
  ref: string,
  identity: { region: string; accountId: string },
): string | undefined {
  const { region, accountId } = identity;
  const poolProvider = `cognito-idp.${region}.amazonaws.com/${ref}`;
  const attributes: Record<string, Record<string, string>> = {
    'AWS::Cognito::UserPool': {
      Arn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${ref}`,
      ProviderName: poolProvider,
      ProviderURL: `https://${poolProvider}`,
      UserPoolId: ref,
    },
    'AWS::Cognito::UserPoolClient': { ClientId: ref, Name: logicalId },
    'AWS::Serverless::HttpApi': { ApiEndpoint: `https://${ref}.execute-api.${region}.amazonaws.com`, ApiId: ref },
    'AWS::ApiGatewayV2::Api': { ApiEndpoint: `https://${ref}.execute-api.${region}.amazonaws.com`, ApiId: ref },
    'AWS::CloudFront::Distribution': { DomainName: `${ref.toLowerCase()}.cloudfront.net`, Id: ref },
  };
  return attributes[type]?.[attribute];
}
