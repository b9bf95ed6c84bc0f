import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  GetTopicAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { imageIdFor } from '../../functions/lib/upload-key';
import { codeFlowTokens } from '../../local/auth/code-flow-client';
import { latestCode } from '../../local/auth/inbox';
import { readInbox } from '../../local/inbox';
import { loadStackModel } from '../../local/stack-model';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../local/template';
import { IMAGES, rejection, startTestStack, tempDir, type TestStack } from '../support/test-stack';
import { request } from './support/raw-http';
import { runCli } from './support/spawn';

/** A loopback HTTP endpoint that keeps what SNS posts to it. */
async function receiver(): Promise<{
  url: string;
  posts: Array<{ headers: IncomingHttpHeaders; body: string }>;
  server: Server;
}> {
  const posts: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      posts.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts, server };
}

/** The address template.yaml's NotificationEmail subscribes in these tests. */
const NOTIFY_EMAIL = 'owner@example.com';

describe('local SNS and notifications', function () {
  this.timeout(180_000);
  let dir: string;
  const templatePath = TEMPLATE_PATH;
  let t: TestStack;
  let sns: SNSClient;
  let topicArn: string;
  let hook: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    dir = tempDir('e2e-notify-');
    t = await startTestStack({
      parameterOverrides: { NotificationEmail: NOTIFY_EMAIL },
      env: { SFN_MOCK_CONFIG: path.join(dir, 'MockConfigFile.json') },
    });
    sns = new SNSClient({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    topicArn = t.stack.model.topics.find((topic) => topic.logicalId === 'NotificationTopic')?.arn ?? '';
    hook = await receiver();
  });
  after(async () => {
    sns?.destroy();
    await new Promise((resolve) => hook?.server.close(resolve));
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('topics from the template', () => {
    it('resolves Ref to the topic ARN and GetAtt TopicName/TopicArn, and keeps a conditional subscription only when it holds', () => {
      const model = t.stack.model;
      expect(topicArn).to.equal('arn:aws:sns:us-east-1:000000000000:NotificationTopic');
      expect(model.resolve({ Ref: 'NotificationTopic' })).to.equal(topicArn);
      expect(model.resolve({ 'Fn::GetAtt': ['NotificationTopic', 'TopicName'] })).to.equal('NotificationTopic');
      expect(model.resolve({ 'Fn::GetAtt': ['NotificationTopic', 'TopicArn'] })).to.equal(topicArn);
      expect(model.topics[0]?.subscriptions).to.deep.equal([
        {
          logicalId: 'NotificationEmailSubscription',
          topicArn,
          protocol: 'email',
          endpoint: NOTIFY_EMAIL,
          rawMessageDelivery: false,
        },
      ]);
      const withoutEmail = loadStackModel({
        templatePath,
        codeRoot: PROJECT_ROOT,
        identity: model.identity,
        parameterOverrides: { NotificationEmail: '' },
      });
      expect(withoutEmail.topics[0]?.subscriptions).to.deep.equal([]);
    });
  });

  describe('the SNS API through a real SNSClient (endpoint only)', () => {
    it('lists the topic, its attributes and the template subscription', async () => {
      const topics = await sns.send(new ListTopicsCommand({}));
      // The template's two topics: photo outcomes, and the alarms' OperationsTopic.
      expect(topics.Topics?.map((topic) => topic.TopicArn)).to.have.members(
        t.stack.model.topics.map((topic) => topic.arn),
      );
      expect(t.stack.model.topics.map((topic) => topic.logicalId)).to.have.members([
        'NotificationTopic',
        'OperationsTopic',
      ]);
      expect(topics.Topics).to.deep.include({ TopicArn: topicArn });
      const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
      expect(attributes.Attributes).to.include({ TopicArn: topicArn, Owner: '000000000000' });
      const subscriptions = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      expect(subscriptions.Subscriptions?.map((item) => [item.Protocol, item.Endpoint])).to.deep.include([
        'email',
        NOTIFY_EMAIL,
      ]);
    });

    it('publishes with a subject and attributes: the e-mail lands in the inbox, the http subscriber gets the envelope', async () => {
      const subscribed = await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: hook.url, ReturnSubscriptionArn: true }),
      );
      expect(subscribed.SubscriptionArn).to.match(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
      const listed = await sns.send(new ListSubscriptionsCommand({}));
      expect(listed.Subscriptions?.map((item) => item.SubscriptionArn)).to.include(subscribed.SubscriptionArn);

      const published = await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: 'Photo SUCCEEDED',
          Message: 'beach.jpg is done & ready <3',
          MessageAttributes: {
            status: { DataType: 'String', StringValue: 'SUCCEEDED' },
            faceDetected: { DataType: 'String', StringValue: 'true' },
          },
        }),
      );
      expect(published.MessageId).to.match(/^[0-9a-f-]{36}$/);
      await t.stack.idle();

      const mail = readInbox(t.dataDir, NOTIFY_EMAIL).find(
        (message) => message.meta?.messageId === published.MessageId,
      );
      expect(mail).to.include({ source: 'sns', subject: 'Photo SUCCEEDED', text: 'beach.jpg is done & ready <3' });
      expect(mail?.meta?.topicArn).to.equal(topicArn);
      expect(mail?.attributes, 'the inbox keeps the attributes an e-mail does not show').to.deep.equal({
        status: 'SUCCEEDED',
        faceDetected: 'true',
      });

      const post = hook.posts.find((item) => item.headers['x-amz-sns-message-id'] === published.MessageId);
      expect(post?.headers).to.include({
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-topic-arn': topicArn,
        'x-amz-sns-subscription-arn': subscribed.SubscriptionArn,
      });
      expect(JSON.parse(post?.body ?? '{}')).to.deep.include({
        Type: 'Notification',
        MessageId: published.MessageId,
        TopicArn: topicArn,
        Subject: 'Photo SUCCEEDED',
        Message: 'beach.jpg is done & ready <3',
        MessageAttributes: {
          status: { Type: 'String', Value: 'SUCCEEDED' },
          faceDetected: { Type: 'String', Value: 'true' },
        },
      });

      await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscribed.SubscriptionArn }));
      const before = hook.posts.length;
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'after unsubscribe' }));
      await t.stack.idle();
      expect(hook.posts).to.have.length(before);
    });

    it('delivers to a filtered subscription only what its policy matches, and raw when asked', async () => {
      const filtered = await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'http',
          Endpoint: `${hook.url}?filtered`,
          Attributes: { FilterPolicy: JSON.stringify({ status: ['FAILED'] }), RawMessageDelivery: 'true' },
          ReturnSubscriptionArn: true,
        }),
      );
      const send = (status: string) =>
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: `status ${status}`,
            MessageAttributes: { status: { DataType: 'String', StringValue: status } },
          }),
        );
      await send('SUCCEEDED');
      await send('FAILED');
      await t.stack.idle();
      const raw = hook.posts.filter((item) => item.headers['x-amz-sns-subscription-arn'] === filtered.SubscriptionArn);
      expect(raw.map((item) => item.body)).to.deep.equal(['status FAILED']);
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: filtered.SubscriptionArn }));
    });

    it('refuses endpoints off the machine, unknown topics and malformed messages with SNS errors', async () => {
      for (const endpoint of [
        'http://example.com/hook',
        'http://10.0.0.1/hook',
        'https://8.8.8.8/',
        'ftp://127.0.0.1/x',
      ])
        expect(
          await rejection(sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint }))),
          endpoint,
        ).to.be.instanceOf(InvalidParameterException);
      expect(
        await rejection(
          sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:x' })),
        ),
      ).to.be.instanceOf(InvalidParameterException);
      const missing = topicArn.replace('NotificationTopic', 'NoSuchTopic');
      expect(await rejection(sns.send(new PublishCommand({ TopicArn: missing, Message: 'x' })))).to.be.instanceOf(
        NotFoundException,
      );
      expect(await rejection(sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' })))).to.be.instanceOf(
        InvalidParameterException,
      );
      const noValue = await rejection(
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: 'x',
            MessageAttributes: { status: { DataType: 'String' } },
          }),
        ),
      );
      expect(noValue).to.be.instanceOf(InvalidParameterValueException);
    });
  });

  describe('sns:publish tasks in the local Step Functions', () => {
    it('notifies once per upload through the workflow, with the history of a service integration', async () => {
      const key = 'private/notify-user/uploads/trip/skimage_coffee.png';
      await t.s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: key,
          Body: readFileSync(path.join(IMAGES, 'skimage_coffee.png')),
        }),
      );
      let item: Record<string, unknown> | undefined;
      for (let i = 0; i < 600 && item?.status !== 'SUCCEEDED'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        item = await t.item(key);
      }
      await t.stack.idle();
      const imageId = imageIdFor(key);
      const mails = readInbox(t.dataDir, NOTIFY_EMAIL).filter((message) =>
        message.text.startsWith('File: skimage_coffee.png\n'),
      );
      expect(mails.map((mail) => mail.subject)).to.deep.equal(['Photo processed: skimage_coffee.png']);
      expect(mails[0]?.text).to.include('Album: trip\nOutcome: SUCCEEDED\nFaces: No Face Detected');

      const history = await t.history(String(item?.executionArn));
      const scheduled = history.find(
        (event) => event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resourceType === 'sns',
      );
      expect(scheduled?.taskScheduledEventDetails).to.include({ resource: 'publish', region: 'us-east-1' });
      const parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}');
      expect(parameters.MessageAttributes.imageId).to.deep.equal({ DataType: 'String', StringValue: imageId });
      const next = history.slice(history.indexOf(scheduled as never) + 1, history.indexOf(scheduled as never) + 3);
      expect(next.map((event) => event.type)).to.deep.equal(['TaskStarted', 'TaskSucceeded']);
      expect(next[0]?.taskStartedEventDetails).to.deep.equal({ resourceType: 'sns', resource: 'publish' });
      expect(JSON.parse(next[1]?.taskSucceededEventDetails?.output ?? '{}').MessageId).to.match(/^[0-9a-f-]{36}$/);
    });

    it('fails a publish to a missing topic with SNS.NotFoundException, which Retry and Catch match', async () => {
      const definition = {
        StartAt: 'Notify',
        States: {
          Notify: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Parameters: { TopicArn: topicArn.replace('NotificationTopic', 'Gone'), Message: 'x' },
            Retry: [{ ErrorEquals: ['SNS.NotFoundException'], MaxAttempts: 1, IntervalSeconds: 1 }],
            Catch: [{ ErrorEquals: ['SNS.NotFoundException'], ResultPath: '$.error', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Succeed' },
        },
      };
      const machine = await t.sfn.send(
        new CreateStateMachineCommand({
          name: 'NotifyMissingTopic',
          definition: JSON.stringify(definition),
          roleArn: 'arn:aws:iam::000000000000:role/local',
        }),
      );
      const { executionArn } = await t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{}' }),
      );
      await t.stack.idle();
      const described = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).to.equal('SUCCEEDED');
      expect(JSON.parse(described.output ?? '{}').error.Error).to.equal('SNS.NotFoundException');
      const failed = (await t.history(String(executionArn))).filter((event) => event.type === 'TaskFailed');
      expect(failed).to.have.length(2);
      expect(failed[0]?.taskFailedEventDetails).to.include({
        resourceType: 'sns',
        resource: 'publish',
        error: 'SNS.NotFoundException',
      });
      expect(failed[0]?.taskFailedEventDetails?.cause).to.match(
        /^Topic does not exist \(Service: AmazonSNS; Status Code: 404; Error Code: NotFound/,
      );
    });
  });

  describe('a MockConfigFile mocks an sns:publish task by its state name', () => {
    it('answers the mocked result or error instead of publishing, and publishes without a test case', async () => {
      const definition = {
        StartAt: 'Notify',
        States: {
          Notify: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Parameters: { TopicArn: topicArn, 'Message.$': '$.text' },
            Catch: [{ ErrorEquals: ['SNS.ThrottledException'], ResultPath: '$.error', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Succeed' },
        },
      };
      const { stateMachineArn } = await t.sfn.send(
        new CreateStateMachineCommand({
          name: 'NotifyMocked',
          definition: JSON.stringify(definition),
          roleArn: 'arn:aws:iam::000000000000:role/local',
        }),
      );
      writeFileSync(
        path.join(dir, 'MockConfigFile.json'),
        JSON.stringify({
          StateMachines: {
            NotifyMocked: {
              TestCases: { Mocked: { Notify: 'MockedPublish' }, Throttled: { Notify: 'PublishThrottled' } },
            },
          },
          MockedResponses: {
            MockedPublish: { '0': { Return: { MessageId: 'mocked-message' } } },
            PublishThrottled: { '0': { Throw: { Error: 'SNS.ThrottledException', Cause: 'mocked' } } },
          },
        }),
      );
      const run = async (suffix: string, text: string) => {
        const { executionArn } = await t.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: `${stateMachineArn}${suffix}`,
            input: JSON.stringify({ text }),
          }),
        );
        await t.stack.idle();
        return t.sfn.send(new DescribeExecutionCommand({ executionArn }));
      };
      const mocked = await run('#Mocked', 'mocked publish');
      expect(JSON.parse(mocked.output ?? '{}')).to.deep.equal({ MessageId: 'mocked-message' });
      const throttled = await run('#Throttled', 'throttled publish');
      expect(JSON.parse(throttled.output ?? '{}').error).to.deep.equal({
        Error: 'SNS.ThrottledException',
        Cause: 'mocked',
      });
      const real = await run('', 'real publish');
      expect(JSON.parse(real.output ?? '{}').MessageId).to.match(/^[0-9a-f-]{36}$/);
      const texts = readInbox(t.dataDir, NOTIFY_EMAIL).map((mail) => mail.text);
      expect(texts).to.include('real publish');
      expect(texts).to.not.include.members(['mocked publish', 'throttled publish']);
    });
  });

  describe("the web app's inbox at /_inbox/messages", () => {
    it("answers each user, by their real token's sub, only their photos' notifications; 401 without; other sites refused", async () => {
      const origin = `http://localhost:${t.stack.port}`;
      const health = (await (await fetch(`${t.stack.endpoint}/_local/health`)).json()) as {
        auth: { issuer: string; clients: { clientId: string; redirectUris: string[] }[] };
        inbox: { url: string };
      };
      expect(health.inbox.url).to.equal(`${origin}/_inbox/messages`);
      const client = health.auth.clients[0] as { clientId: string; redirectUris: string[] };
      const tokensOf = (email: string) =>
        codeFlowTokens({
          issuer: health.auth.issuer,
          clientId: client.clientId,
          redirectUri: client.redirectUris[0] as string,
          email,
          password: 'Local-password-1',
          readCode: (address) => latestCode(t.dataDir, address),
        });
      const [alice, bob] = [await tokensOf('alice@example.com'), await tokensOf('bob@example.com')];
      const subOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).sub;
      for (const [jwt, file] of [
        [alice.access_token, 'alice.jpg'],
        [bob.access_token, 'bob.jpg'],
      ] as const)
        await sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: `Photo processed: ${file}`,
            Message: `File: ${file}`,
            MessageAttributes: { userId: { DataType: 'String', StringValue: subOf(jwt) } },
          }),
        );
      await t.stack.idle();
      const inbox = (jwt?: string, headers: Record<string, string> = {}) =>
        fetch(health.inbox.url, { headers: { ...headers, ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) } });
      for (const [tokens, file] of [
        [alice, 'alice.jpg'],
        [bob, 'bob.jpg'],
      ] as const) {
        // From the web app's own origin (the same as the inbox's, so no CORS), which the stack's guard lets through.
        const answer = await inbox(tokens.access_token, { origin });
        expect(answer.status).to.equal(200);
        const body = (await answer.json()) as { notifications: { subject: string }[]; emailSubscriptions: number };
        expect(body.notifications.map((item) => item.subject)).to.deep.equal([`Photo processed: ${file}`]);
        expect(body.emailSubscriptions).to.be.at.least(1);
      }
      expect((await inbox()).status).to.equal(401);
      expect((await inbox(`${alice.access_token}x`)).status).to.equal(401);
      const crossSite = await inbox(alice.access_token, { origin: 'http://evil.example' });
      expect(crossSite.status).to.equal(403);
      const rebound = await request(t.stack.port, {
        path: '/_inbox/messages',
        headers: { authorization: `Bearer ${alice.access_token}`, host: `evil.example:${t.stack.port}` },
      });
      expect(rebound.status).to.equal(403);
    });
  });

  describe('npm run pipeline -- --json', () => {
    it("adds each upload's notifications, matched by imageId, and leaves no subscription behind", async () => {
      const photo = path.join(IMAGES, 'skimage_chelsea-cat.png');
      const gif = path.join(IMAGES, 'generated_chelsea-cat.gif');
      const run = await runCli('local/cli/pipeline.ts', [
        '--endpoint',
        t.stack.endpoint,
        '--album',
        'pets',
        '--json',
        photo,
        gif,
      ]);
      const [cat, animation] = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, any>);
      expect(cat?.status, run.stderr).to.equal('SUCCEEDED');
      expect(cat?.notifications).to.have.lengthOf(1);
      const [notification] = cat?.notifications ?? [];
      expect(notification.subject).to.equal('Photo processed: skimage_chelsea-cat.png');
      expect(notification.message).to.match(/^File: skimage_chelsea-cat\.png\nAlbum: pets\nOutcome: SUCCEEDED\n/);
      expect(notification.attributes).to.deep.include({
        status: 'SUCCEEDED',
        userId: 'local-user',
        albumId: 'pets',
        imageId: imageIdFor(cat?.key),
        fileName: 'skimage_chelsea-cat.png',
        faceDetected: 'false',
      });
      expect(notification.attributes.flagged).to.be.oneOf(['true', 'false']);
      expect(animation?.status).to.equal('UNSUPPORTED');
      expect(
        animation?.notifications.map((item: { attributes: { status: string } }) => item.attributes.status),
      ).to.deep.equal(['UNSUPPORTED']);
      const left = await sns.send(new ListSubscriptionsCommand({}));
      expect(left.Subscriptions?.map((item) => item.Protocol)).to.deep.equal(['email']);
    });
  });
});
