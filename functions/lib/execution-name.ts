import { createHash } from 'node:crypto';

/**
 * Step Functions execution names are unique per state machine for 90 days, so a name derived from
 * bucket + key + sequencer turns a duplicate delivery of the same upload into ExecutionAlreadyExists.
 * Names allow [A-Za-z0-9-_] and at most 80 characters: a readable prefix from the file name, then a hash.
 */
const MAX_NAME_LENGTH = 80;
const HASH_LENGTH = 40;

export function executionNameFor(bucket: string, key: string, sequencer: string): string {
  const hash = createHash('sha256')
    .update(`${bucket}\n${key}\n${sequencer}`, 'utf8')
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const fileName = key.slice(key.lastIndexOf('/') + 1);
  const readable = fileName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1);
  return readable.length > 0 ? `${readable}-${hash}` : hash;
}

/** The ARN StartExecution will give the execution, known before it starts. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  // arn:aws:states:region:account:stateMachine:Name -> arn:aws:states:region:account:execution:Name:executionName
  if (parts.length < 7 || parts[5] !== 'stateMachine') {
    throw new RangeError(`Not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), 'execution', parts.slice(6).join(':'), executionName].join(':');
}
