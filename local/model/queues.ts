import { resourcesOfType, type CfnTemplate } from '../template';
import type { Resolver } from './intrinsics';

/** The template's SQS queues (AWS::SQS::Queue): the dead-letter queues the local bus and Lambda send to. */
export interface QueueModel {
  logicalId: string;
  name: string;
  arn: string;
  /** What `!Ref` gives: the queue URL on the local endpoint. */
  url: string;
}

export function queueModels(template: CfnTemplate, resolver: Resolver): QueueModel[] {
  return resourcesOfType(template, 'AWS::SQS::Queue').map(([logicalId]) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
    arn: resolver.arnOf(logicalId),
    url: String(resolver.ref(logicalId)),
  }));
}
