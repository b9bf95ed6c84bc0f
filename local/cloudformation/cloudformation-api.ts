import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/respond';
import type { StackModel } from '../stack-model';

/**
 * CloudFormation's DescribeStacks for the one stack the local endpoint runs (query protocol, XML), so tools that find
 * resources through stack outputs (`pipeline --stack NAME`) work the same way against the local stack.
 */
export async function handleCloudFormation(
  req: IncomingMessage,
  res: ServerResponse,
  model: StackModel,
  startedAt: Date,
): Promise<void> {
  const params = new URLSearchParams((await readBody(req, 1024 * 1024)).toString('utf8'));
  const action = params.get('Action');
  const { stackName, region, accountId } = model.identity;
  if (action !== 'DescribeStacks')
    return xmlError(
      res,
      400,
      'InvalidAction',
      `The local stack answers only DescribeStacks, not ${action ?? 'a request without Action'}`,
    );
  const requested = params.get('StackName');
  const stackId = `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`;
  if (requested && requested !== stackName && requested !== stackId)
    return xmlError(res, 400, 'ValidationError', `Stack with id ${requested} does not exist`);
  const outputs = Object.entries(model.outputs)
    .map(
      ([key, output]) =>
        `<member><OutputKey>${escape(key)}</OutputKey><OutputValue>${escape(output.value)}</OutputValue>${output.description ? `<Description>${escape(output.description)}</Description>` : ''}</member>`,
    )
    .join('');
  const parameters = Object.entries(model.parameters)
    .map(
      ([key, value]) =>
        `<member><ParameterKey>${escape(key)}</ParameterKey><ParameterValue>${escape(value)}</ParameterValue></member>`,
    )
    .join('');
  send(
    res,
    200,
    `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
      `<StackName>${escape(stackName)}</StackName><StackId>${escape(stackId)}</StackId><StackStatus>CREATE_COMPLETE</StackStatus>` +
      `<CreationTime>${startedAt.toISOString()}</CreationTime><Parameters>${parameters}</Parameters><Outputs>${outputs}</Outputs>` +
      `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${globalThis.crypto.randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
  );
}

function xmlError(res: ServerResponse, status: number, code: string, message: string) {
  send(
    res,
    status,
    `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${globalThis.crypto.randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function send(res: ServerResponse, status: number, xml: string) {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
