import type { RuleModel } from '../stack-model';
import { functionSpecs, resourcesOfType, type CfnTemplate } from '../template';
import type { Resolve, Resolver } from './intrinsics';

/**
 * The EventBridge rules of the template that target its functions: SAM's EventBridgeRule (and CloudWatchEvent)
 * events of a function, named <Function><EventName> as SAM names them, and plain AWS::Events::Rule resources.
 */

export function ruleModels(template: CfnTemplate, resolve: Resolve, resolver: Resolver): RuleModel[] {
  return [...samRules(template, resolve, resolver), ...eventsRules(template, resolve, resolver)];
}

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
