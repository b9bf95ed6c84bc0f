import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../../local/template';

/**
 * Until the workflow publishes its own notifications (issue 13), a copy of template.yaml and of the ASL that adds
 * what it will: a NotificationTopic, an e-mail subscription under a condition on NotificationEmail, and a publish
 * state after the SUCCEEDED and the UNSUPPORTED outcomes with the message attributes the workflow will send.
 */
export const NOTIFY_EMAIL = 'owner@example.com';

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`template.yaml no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const TEMPLATE_ADDITIONS = `
  NotificationTopic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns

  NotificationEmailSubscription:
    Type: AWS::SNS::Subscription
    Condition: HasNotificationEmail
    Properties:
      TopicArn: !Ref NotificationTopic
      Protocol: email
      Endpoint: !Ref NotificationEmail

Outputs:`;

const attributes = (status: string) => ({
  status: { DataType: 'String', StringValue: status },
  'userId.$': '$.upload.userId',
  'imageId.$': '$.upload.imageId',
  'fileName.$': '$.upload.fileName',
});

function publishState(status: string, next: string) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Parameters: {
      TopicArn: '${NotificationTopicArn}',
      Subject: `Photo ${status}`,
      'Message.$': `States.Format('{} is ${status}', $.upload.fileName)`,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes(status)).map(([name, value]) =>
          typeof value === 'string'
            ? [name.replace('.$', ''), { DataType: 'String', 'StringValue.$': value }]
            : [name, value],
        ),
      ),
    },
    ResultPath: '$.notification',
    Next: next,
  };
}

/** Writes template.yaml and the ASL with notifications into `dir`; returns the template's path. */
export function writeNotifyingTemplate(dir: string, email = NOTIFY_EMAIL): string {
  const asl = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'statemachine/image-processing.asl.json'), 'utf8')) as {
    States: Record<string, Record<string, unknown>>;
  };
  const states = asl.States;
  (states.CompleteProcessing as Record<string, unknown>).Next = 'NotifySucceeded';
  (states.RecordUnsupported as Record<string, unknown>).Next = 'NotifyUnsupported';
  states.NotifySucceeded = publishState('SUCCEEDED', 'Processed');
  states.NotifyUnsupported = publishState('UNSUPPORTED', 'NotSupportedImageType');
  const aslFile = path.join(dir, 'image-processing.asl.json');
  writeFileSync(aslFile, JSON.stringify(asl, null, 2));

  let text = readFileSync(TEMPLATE_PATH, 'utf8');
  text = edit(text, 'DefinitionUri: statemachine/image-processing.asl.json', `DefinitionUri: ${aslFile}`);
  text = edit(
    text,
    '      DefinitionSubstitutions:\n',
    '      DefinitionSubstitutions:\n        NotificationTopicArn: !Ref NotificationTopic\n',
  );
  // The parameter goes at the end of Parameters, the condition into Conditions (which template.yaml has since issue 12).
  text = edit(
    text,
    '\nConditions:\n',
    `  NotificationEmail:\n    Type: String\n    Default: '${email}'\n\nConditions:\n  HasNotificationEmail: !Not [!Equals [!Ref NotificationEmail, '']]\n`,
  );
  text = edit(text, '\nOutputs:', TEMPLATE_ADDITIONS);
  const templateFile = path.join(dir, 'template.yaml');
  writeFileSync(templateFile, text);
  return templateFile;
}
