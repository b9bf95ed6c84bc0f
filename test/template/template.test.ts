import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse as parseToml } from 'smol-toml';
import {
  functionSpecs,
  loadTemplate,
  PROJECT_ROOT,
  resourcesOfType,
  type CfnResource,
  type FunctionSpec,
} from '../../local/template';
import { METRIC } from '../../functions/lib/metrics';
import { loadStackModel } from '../../local/stack-model';
import { BUILD_TIMEOUT_MS, builtFunction } from '../support/built-functions';

/**
 * Static checks of template.yaml: what `sam validate --lint` (cfn-lint) cannot know because it needs the ASL,
 * the source tree or the bundles, plus the project's own rules (see docs/verification.md).
 */

type Json = Record<string, unknown>;

const template = loadTemplate();
const functions = functionSpecs(template);
const globals = (template.Globals?.Function ?? {}) as Json;
const [, stateMachine] = onlyOne(resourcesOfType(template, 'AWS::Serverless::StateMachine'));
const smProps = stateMachine.Properties as Json;
const asl = JSON.parse(readFileSync(path.join(PROJECT_ROOT, String(smProps.DefinitionUri)), 'utf8')) as Json;
const substitutions = (smProps.DefinitionSubstitutions ?? {}) as Record<string, unknown>;

function onlyOne<T>(items: T[]): T {
  expect(items, 'exactly one').to.have.lengthOf(1);
  return items[0] as T;
}

function resource(logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`template.yaml has no resource ${logicalId}`);
  return found;
}

function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return String(getAtt[0]);
  }
  return undefined;
}

/** "ExtractImageMetadata" -> "extract-image-metadata", "S3Trigger" -> "s3-trigger". */
function kebab(logicalId: string): string {
  return logicalId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => allStrings(item, out));
  else if (value && typeof value === 'object')
    Object.entries(value).forEach(([k, v]) => (allStrings(k, out), allStrings(v, out)));
  return out;
}

/** Every state, nested Parallel branches and Map processors included. */
function allStates(definition: Json): [string, Json][] {
  const states = Object.entries((definition.States ?? {}) as Record<string, Json>);
  return states.flatMap(([name, state]) => {
    const nested = [
      ...((state.Branches as Json[] | undefined) ?? []),
      ...[state.ItemProcessor, state.Iterator].filter((p): p is Json => !!p),
    ];
    return [[name, state] as [string, Json], ...nested.flatMap(allStates)];
  });
}

interface PolicyStatement {
  owner: string;
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Inline statements from SAM Policies, IAM resources and resource policies; SAM policy templates by name. */
function policyStatements(): {
  statements: PolicyStatement[];
  samTemplates: { owner: string; name: string }[];
  managed: string[];
} {
  const statements: PolicyStatement[] = [];
  const samTemplates: { owner: string; name: string }[] = [];
  const managed: string[] = [];
  const addDocument = (owner: string, doc: unknown) => {
    const list = (doc as { Statement?: unknown } | undefined)?.Statement;
    for (const s of Array.isArray(list) ? list : list ? [list] : [])
      statements.push({ owner, ...(s as Omit<PolicyStatement, 'owner'>) });
  };
  for (const [id, res] of Object.entries(template.Resources)) {
    const props = (res.Properties ?? {}) as Json;
    if (res.Type === 'AWS::Serverless::Function' || res.Type === 'AWS::Serverless::StateMachine') {
      const policies = props.Policies;
      for (const policy of Array.isArray(policies) ? policies : policies ? [policies] : []) {
        if (typeof policy === 'string') managed.push(`${id}: ${policy}`);
        else if ((policy as Json).Statement) addDocument(id, policy);
        else for (const name of Object.keys(policy as Json)) samTemplates.push({ owner: id, name });
      }
    }
    if (res.Type === 'AWS::IAM::Role') {
      for (const p of (props.Policies as Json[] | undefined) ?? []) addDocument(id, p.PolicyDocument);
      for (const arn of (props.ManagedPolicyArns as unknown[] | undefined) ?? [])
        managed.push(`${id}: ${JSON.stringify(arn)}`);
    }
    if (
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy'].includes(
        res.Type,
      )
    ) {
      addDocument(id, props.PolicyDocument);
    }
  }
  return { statements, samTemplates, managed };
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The routes of docs/api.md and the function behind each (the names /work/wt/FRONT-DOOR.md gives). */
const API_ROUTES: Record<string, string> = {
  'GET /albums': 'ListAlbums',
  'POST /albums': 'CreateAlbum',
  'PATCH /albums/{albumId}': 'RenameAlbum',
  'DELETE /albums/{albumId}': 'DeleteAlbum',
  'GET /photos': 'ListPhotos',
  'GET /photos/{imageId}': 'GetPhoto',
  'GET /photos/{imageId}/execution': 'GetPhotoExecution',
  'DELETE /photos/{imageId}': 'DeletePhoto',
  'POST /uploads': 'CreateUpload',
};

/** The rule of `functionId`'s event retries, and dead-letters to a queue that accepts messages from that rule only. */
function expectRuleDeadLettered(functionId: string, eventName: string, props: Json): void {
  expect(props.RetryPolicy).to.have.all.keys('MaximumRetryAttempts', 'MaximumEventAgeInSeconds');
  const queueId = refTarget((props.DeadLetterConfig as Json).Arn) as string;
  expect(resource(queueId).Type).to.equal('AWS::SQS::Queue');
  const [, queuePolicy] = onlyOne(
    resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, r]) =>
      asList((r.Properties as Json).Queues).some((q) => refTarget(q) === queueId),
    ),
  );
  const allow = ((queuePolicy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement.find(
    (st) => st.Effect === 'Allow',
  ) as Json;
  expect(allow.Principal).to.deep.equal({ Service: 'events.amazonaws.com' });
  expect(allow.Action).to.equal('sqs:SendMessage');
  // SAM names the rule it generates <FunctionLogicalId><EventName>.
  expect(allow.Condition).to.deep.equal({
    ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [`${functionId}${eventName}`, 'Arn'] } },
  });
}

describe('template.yaml', () => {
  describe('Globals', () => {
    it('runs every function on nodejs22.x, arm64, with active tracing, CodeUri . and source maps', () => {
      expect(globals.Runtime).to.equal('nodejs22.x');
      expect(globals.Architectures).to.deep.equal(['arm64']);
      expect(globals.Tracing).to.equal('Active');
      expect(globals.CodeUri).to.equal('.');
      const env = (globals.Environment as { Variables: Json }).Variables;
      expect(env.NODE_OPTIONS).to.equal('--enable-source-maps');
    });

    it('is not overridden per function for runtime, architecture or code location', () => {
      for (const fn of functions) {
        for (const key of ['Runtime', 'Architectures', 'CodeUri', 'Tracing']) {
          expect(fn.properties, `${fn.logicalId}.${key}`).not.to.have.property(key);
        }
      }
    });
  });

  describe('functions', () => {
    it('has the functions of the workflow (ConvertImage included), one per API route and the delete cascade', () => {
      expect(functions.map((f) => f.logicalId)).to.have.members([
        'S3Trigger',
        'ExtractImageMetadata',
        'RecordUnsupported',
        'StoreImageMetadata',
        'ConvertImage',
        'DetectLabels',
        'GenerateThumbnail',
        'DetectFaces',
        'DetectModerationLabels',
        'CompleteProcessing',
        'RecordFailure',
        ...Object.values(API_ROUTES),
        'DeleteCascade',
        'ReconcileExecution',
      ]);
    });

    for (const fn of functions) {
      describe(fn.logicalId, () => {
        const metadata = (resource(fn.logicalId).Metadata ?? {}) as Json;

        it('is built with esbuild from one existing entry point named like the function', () => {
          expect(metadata.BuildMethod).to.equal('esbuild');
          expect(fn.entryPoints).to.have.lengthOf(1);
          const entry = fn.entryPoints[0] as string;
          expect(existsSync(path.join(PROJECT_ROOT, fn.codeUri, entry)), `${entry} exists`).to.equal(true);
          expect(path.basename(entry, path.extname(entry))).to.equal(kebab(fn.logicalId));
        });

        it('has Handler <entry basename>.handler', () => {
          const entry = fn.entryPoints[0] as string;
          expect(fn.handler).to.equal(`${path.basename(entry, path.extname(entry))}.handler`);
        });

        it('bundles minified for node22 with source maps', () => {
          expect(fn.buildProperties).to.include({ Minify: true, Target: 'node22', Sourcemap: true, Format: 'cjs' });
        });

        it('logs to its own log group with a retention', () => {
          const logGroupId = refTarget((fn.properties.LoggingConfig as Json | undefined)?.LogGroup);
          expect(logGroupId, 'LoggingConfig.LogGroup is a !Ref').to.be.a('string');
          const logGroup = resource(logGroupId as string);
          expect(logGroup.Type).to.equal('AWS::Logs::LogGroup');
          expect(logGroup.Properties).to.have.property('RetentionInDays');
          const users = functions.filter(
            (other) => refTarget((other.properties.LoggingConfig as Json | undefined)?.LogGroup) === logGroupId,
          );
          expect(users.map((u) => u.logicalId)).to.deep.equal([fn.logicalId]);
        });
      });
    }
  });

  describe('state machine', () => {
    const placeholders = new Set(
      allStrings(asl).flatMap((s) => [...s.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1] as string)),
    );
    const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
    const allTasks = allStates(asl).filter(([, state]) => state.Type === 'Task');
    /** The Lambda tasks; NotifyResult publishes through the SNS integration, checked on its own. */
    const taskStates = allTasks.filter(([, state]) => state.Resource !== SNS_PUBLISH);

    it('is a Standard workflow defined by a file with substitutions, traced and logged with retention', () => {
      expect(smProps.Type).to.equal('STANDARD');
      expect(existsSync(path.join(PROJECT_ROOT, String(smProps.DefinitionUri)))).to.equal(true);
      expect(smProps.Tracing).to.deep.equal({ Enabled: true });
      const logging = smProps.Logging as { Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] };
      const logGroupId = refTarget(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
      expect(resource(logGroupId as string).Properties).to.have.property('RetentionInDays');
    });

    it('has a DefinitionSubstitution for every ${…} in the ASL', () => {
      expect(placeholders.size).to.be.greaterThan(0);
      expect(
        [...placeholders].filter((p) => !(p in substitutions)),
        'placeholders without substitution',
      ).to.deep.equal([]);
    });

    it('uses every DefinitionSubstitution', () => {
      expect(
        Object.keys(substitutions).filter((s) => !placeholders.has(s)),
        'unused substitutions',
      ).to.deep.equal([]);
    });

    it('invokes through the optimized lambda:invoke integration, each Task named like its function', () => {
      expect(taskStates).to.have.length.greaterThan(0);
      for (const [name, state] of taskStates) {
        expect(state.Resource, name).to.equal('arn:aws:states:::lambda:invoke');
        const placeholder = /^\$\{(\w+)\}$/.exec(String((state.Parameters as Json).FunctionName))?.[1];
        expect(refTarget(substitutions[placeholder ?? '']), name).to.equal(name);
      }
    });

    it('resolves every Task to a function it has a LambdaInvokePolicy for, and invokes nothing else', () => {
      const invoked = taskStates.map(([, state]) => {
        const placeholder = /^\$\{(\w+)\}$/.exec(String((state.Parameters as Json).FunctionName))?.[1] ?? '';
        return refTarget(substitutions[placeholder]) as string;
      });
      for (const id of invoked) expect(resource(id).Type, id).to.equal('AWS::Serverless::Function');
      const allowed = asList(smProps.Policies)
        .filter((p): p is { LambdaInvokePolicy: { FunctionName: unknown } } => !!(p as Json)?.LambdaInvokePolicy)
        .map((p) => refTarget(p.LambdaInvokePolicy.FunctionName));
      expect([...new Set(invoked)].sort()).to.deep.equal([...allowed].sort());
      // Every other function is started by an event of its own (an EventBridge rule or an API route); ConvertImage,
      // wired by issue 15's phase 2, is invoked by the state machine like the other steps.
      const others = functions.filter((f) => !invoked.includes(f.logicalId));
      expect(others.map((f) => f.logicalId)).to.include('S3Trigger');
      expect(invoked).to.include('ConvertImage');
      for (const fn of others) expect(Object.keys(fn.events), fn.logicalId).to.have.length.greaterThan(0);
      for (const id of invoked)
        expect(Object.keys(functions.find((f) => f.logicalId === id)?.events ?? {}), id).to.deep.equal([]);
    });

    it('publishes with the sns:publish integration (no Lambda) to NotificationTopic, and may publish to it only', () => {
      const publishers = allTasks.filter(([, state]) => state.Resource === SNS_PUBLISH);
      expect(publishers.map(([name]) => name)).to.deep.equal(['NotifyResult']);
      const placeholder = /^\$\{(\w+)\}$/.exec(String((publishers[0]?.[1].Parameters as Json).TopicArn))?.[1];
      expect(substitutions[placeholder ?? '']).to.deep.equal({ Ref: 'NotificationTopic' });
      const statements = asList(smProps.Policies).flatMap((policy) => asList((policy as Json).Statement) as Json[]);
      const sns = statements.filter((statement) => asList(statement.Action).some((a) => String(a).startsWith('sns:')));
      expect(sns).to.deep.equal([
        { Sid: 'PublishOutcomes', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'NotificationTopic' } },
      ]);
    });
  });

  describe('notifications', () => {
    it('NotificationTopic is encrypted with KMS and refuses publishing without TLS', () => {
      expect(resource('NotificationTopic').Type).to.equal('AWS::SNS::Topic');
      expect((resource('NotificationTopic').Properties as Json).KmsMasterKeyId).to.equal('alias/aws/sns');
      const props = resource('NotificationTopicPolicy').Properties as Json;
      expect(asList(props.Topics).map(refTarget)).to.deep.equal(['NotificationTopic']);
      expect((props.PolicyDocument as { Statement: Json[] }).Statement).to.deep.include({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: 'NotificationTopic' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    });

    it('subscribes NotificationEmail by e-mail only when it is set', () => {
      expect(template.Parameters?.NotificationEmail).to.include({ Type: 'String', Default: '' });
      expect((template as { Conditions?: Json }).Conditions?.HasNotificationEmail).to.deep.equal({
        'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'NotificationEmail' }, ''] }],
      });
      const subscription = resource('NotificationEmailSubscription');
      expect((subscription as { Condition?: unknown }).Condition).to.equal('HasNotificationEmail');
      expect(subscription.Properties).to.deep.equal({
        TopicArn: { Ref: 'NotificationTopic' },
        Protocol: 'email',
        Endpoint: { Ref: 'NotificationEmail' },
      });
      const pattern = new RegExp(String((template.Parameters?.NotificationEmail as Json).AllowedPattern));
      expect(['', 'owner@example.com'].every((value) => pattern.test(value))).to.equal(true);
      expect(['owner', 'a@b@c', 'a b@c'].some((value) => pattern.test(value))).to.equal(false);
    });
  });

  describe('recognition and conversion settings', () => {
    const variables = (id: string) => (functions.find((f) => f.logicalId === id) as FunctionSpec).environment;

    it('each recognition step reads its own switch and settings; ConvertFormats reaches ExtractImageMetadata', () => {
      expect(variables('DetectFaces')).to.deep.include({ DETECT_FACES: { Ref: 'DetectFacesEnabled' } });
      expect(variables('DetectModerationLabels')).to.deep.include({
        DETECT_MODERATION: { Ref: 'DetectModeration' },
        MODERATION_MIN_CONFIDENCE: { Ref: 'ModerationMinConfidence' },
      });
      expect(variables('ExtractImageMetadata')).to.deep.include({ CONVERT_FORMATS: { Ref: 'ConvertFormats' } });
      expect(template.Parameters?.DetectModeration).to.include({ Default: 'true' });
      expect(template.Parameters?.ModerationMinConfidence).to.include({ MinValue: 0, MaxValue: 100 });
    });

    it('ConvertFormats takes a comma-separated list of the convertible formats, or nothing', () => {
      const parameter = template.Parameters?.ConvertFormats as Json;
      expect(parameter.Default).to.equal('HEIC,HEIF,WEBP,AVIF');
      const pattern = new RegExp(String(parameter.AllowedPattern));
      for (const value of ['', 'HEIC', 'HEIC,HEIF,WEBP,AVIF', 'WEBP,AVIF'])
        expect(pattern.test(value), value).to.equal(true);
      for (const value of ['GIF', 'HEIC,', 'heic', 'HEIC,,AVIF', 'JPEG'])
        expect(pattern.test(value), value).to.equal(false);
    });
  });

  describe('environment variables', function () {
    this.timeout(BUILD_TIMEOUT_MS);

    // Variables the code may read without the template declaring them, and why.
    const OPTIONAL_UNDECLARED: Record<string, string> = {
      AWS_S3_FORCE_PATH_STYLE:
        'set only by the local stack (path-style S3 for the emulator); unset on AWS means virtual-hosted style',
      AWS_ENDPOINT_URL:
        "the SDK's own endpoint override, set only by the local stack; GetPhoto gives console links only without it",
    };

    // config.ts reads each variable in its own small function, so a minified bundle holds exactly the names
    // its handler uses; direct process.env reads elsewhere in functions/ are candidates too.
    const candidates = (() => {
      const names = new Set<string>();
      const config = readFileSync(path.join(PROJECT_ROOT, 'functions/lib/config.ts'), 'utf8');
      for (const m of config.matchAll(/\(\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(m[1] as string);
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
        );
      for (const file of walk(path.join(PROJECT_ROOT, 'functions'))) {
        const source = readFileSync(file, 'utf8');
        for (const m of source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]+)|\[\s*'([A-Z][A-Z0-9_]+)'\s*\])/g)) {
          names.add((m[1] ?? m[2]) as string);
        }
      }
      return names;
    })();

    function readBy(bundle: string): string[] {
      return [...candidates]
        .filter(
          (name) => bundle.includes(`"${name}"`) || bundle.includes(`'${name}'`) || bundle.includes(`.env.${name}`),
        )
        .sort();
    }

    const declaredFor = (fn: FunctionSpec) => Object.keys(fn.environment);
    const globalNames = Object.keys((globals.Environment as { Variables: Json }).Variables);

    it('finds the configuration variables in the source', () => {
      expect([...candidates]).to.include.members([
        'IMAGE_METADATA_TABLE',
        'STATE_MACHINE_ARN',
        'THUMBNAIL_MAX_SIZE',
        'LABELS_MAX_COUNT',
      ]);
    });

    for (const fn of functions) {
      it(`${fn.logicalId} declares every variable its bundle reads, and reads every variable it declares`, async () => {
        const build = await builtFunction(fn.logicalId);
        const bundle = readFileSync(build.handlerFile, 'utf8');
        const reads = readBy(bundle);
        const undeclared = reads.filter((name) => !declaredFor(fn).includes(name) && !(name in OPTIONAL_UNDECLARED));
        expect(undeclared, 'read but not declared').to.deep.equal([]);
        const ownNames = declaredFor(fn).filter((name) => !globalNames.includes(name));
        expect(
          ownNames.filter((name) => !reads.includes(name)),
          'declared but never read',
        ).to.deep.equal([]);
      });
    }

    it('lists only optional variables some bundle really reads', async () => {
      const readSomewhere = new Set<string>();
      for (const fn of functions)
        readBy(readFileSync((await builtFunction(fn.logicalId)).handlerFile, 'utf8')).forEach((n) =>
          readSomewhere.add(n),
        );
      expect(Object.keys(OPTIONAL_UNDECLARED).filter((name) => !readSomewhere.has(name))).to.deep.equal([]);
    });
  });

  describe('IAM', () => {
    const { statements, samTemplates, managed } = policyStatements();

    it("allows Resource '*' only where AWS offers no resource-level permission", () => {
      const wildcard = statements
        .filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'))
        .map((s) => ({ owner: s.owner, sid: s.Sid, actions: asList(s.Action).map(String).sort() }));
      expect(wildcard).to.deep.equal([
        {
          owner: 'ImageProcessing',
          sid: 'DeliverLogs',
          actions: [
            'logs:CreateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:GetLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:UpdateLogDelivery',
          ],
        },
        { owner: 'DetectLabels', sid: 'DetectLabels', actions: ['rekognition:DetectLabels'] },
        { owner: 'DetectFaces', sid: 'DetectFaces', actions: ['rekognition:DetectFaces'] },
        {
          owner: 'DetectModerationLabels',
          sid: 'DetectModerationLabels',
          actions: ['rekognition:DetectModerationLabels'],
        },
      ]);
    });

    it('lets each function read and write only its own folders of the bucket', () => {
      const folders = (owner: string, action: string) =>
        statements
          .filter((s) => s.owner === owner && s.Effect === 'Allow' && asList(s.Action).includes(action))
          .flatMap((s) => asList(s.Resource))
          .map((r) => String((r as { 'Fn::Sub'?: unknown })['Fn::Sub'] ?? r).replace('${PhotoRepo.Arn}/', ''))
          .sort();
      const readers = ['DetectLabels', 'DetectFaces', 'DetectModerationLabels', 'GenerateThumbnail'];
      for (const owner of readers) {
        const heads = owner === 'GenerateThumbnail' ? ['private/*/resized/*'] : [];
        expect(folders(owner, 's3:GetObject'), owner).to.have.members([
          'private/*/converted/*',
          'private/*/uploads/*',
          ...heads,
        ]);
      }
      expect(folders('ConvertImage', 's3:GetObject')).to.deep.equal(['private/*/converted/*', 'private/*/uploads/*']);
      expect(folders('ConvertImage', 's3:PutObject')).to.deep.equal(['private/*/converted/*']);
      expect(folders('GenerateThumbnail', 's3:PutObject')).to.deep.equal(['private/*/resized/*']);
      expect(folders('ExtractImageMetadata', 's3:GetObject')).to.deep.equal(['private/*/uploads/*']);
      // CreateUpload signs presigned uploads, which need its PutObject on uploads/; the workflow writes the rest.
      expect(folders('CreateUpload', 's3:PutObject')).to.deep.equal(['private/*/uploads/*']);
      const writers = statements.filter((s) => s.Effect === 'Allow' && asList(s.Action).includes('s3:PutObject'));
      expect(writers.map((s) => s.owner).sort()).to.deep.equal(['ConvertImage', 'CreateUpload', 'GenerateThumbnail']);
    });

    it('lets each upload reader read the pinned version and list its own folders, so a deleted upload is a 404', () => {
      const readers = [
        'ExtractImageMetadata',
        'ConvertImage',
        'DetectLabels',
        'DetectFaces',
        'DetectModerationLabels',
        'GenerateThumbnail',
      ];
      const granting = (owner: string, action: string) =>
        statements.filter((s) => s.owner === owner && s.Effect === 'Allow' && asList(s.Action).includes(action));
      const folders = (granted: PolicyStatement[]) =>
        granted
          .flatMap((s) => asList(s.Resource))
          .map((r) => String((r as { 'Fn::Sub'?: unknown })['Fn::Sub']).replace('${PhotoRepo.Arn}/', ''));
      for (const owner of readers) {
        const read = folders(granting(owner, 's3:GetObject'));
        // Version reads only of uploads and renditions; the thumbnail and rendition heads read the current object.
        expect(folders(granting(owner, 's3:GetObjectVersion')), owner).to.have.members(
          read.filter(
            (folder) => !folder.includes('/resized/') && !(owner === 'ConvertImage' && folder.includes('/converted/')),
          ),
        );
        const listing = granting(owner, 's3:ListBucket');
        expect(listing, owner).to.have.lengthOf(1);
        expect(listing[0]?.Resource, owner).to.deep.equal({ 'Fn::GetAtt': ['PhotoRepo', 'Arn'] });
        const prefixes = (listing[0] as { Condition?: { StringLike?: Record<string, string[]> } }).Condition
          ?.StringLike?.['s3:prefix'];
        expect(prefixes, `${owner}: a missing object it reads is 404, not 403`).to.have.members(read);
      }
      const listers = statements.filter((s) => s.Effect === 'Allow' && asList(s.Action).includes('s3:ListBucket'));
      expect(listers.map((s) => s.owner)).to.have.members([...readers, ...SUPERSEDED_CLEANERS]);
    });

    // A superseded execution removes the thumbnail and rendition versions it made (functions/lib/superseded-objects.ts).
    const SUPERSEDED_CLEANERS = ['CompleteProcessing', 'RecordFailure'];

    it('lets only the delete cascade, DeletePhoto and the superseded path delete objects; the last by version only', () => {
      const grants = (owner: string) =>
        statements
          .filter((s) => s.owner === owner && s.Effect === 'Allow')
          .flatMap((s) =>
            asList(s.Action).flatMap((a) =>
              asList(s.Resource).map((r) => {
                const arn = String((r as { 'Fn::Sub'?: unknown })['Fn::Sub'] ?? JSON.stringify(r));
                return `${String(a)} ${arn.replace('${PhotoRepo.Arn}/', '')}`;
              }),
            ),
          )
          .filter((grant) => grant.startsWith('s3:'));
      for (const owner of SUPERSEDED_CLEANERS) {
        expect(grants(owner), owner).to.have.members([
          's3:ListBucket {"Fn::GetAtt":["PhotoRepo","Arn"]}',
          's3:GetObject private/*/resized/*',
          's3:GetObject private/*/converted/*',
          's3:DeleteObjectVersion private/*/resized/*',
          's3:DeleteObjectVersion private/*/converted/*',
        ]);
        const listing = statements.find((s) => s.owner === owner && asList(s.Action).includes('s3:ListBucket'));
        const prefixes = (listing as { Condition?: { StringLike?: Record<string, string[]> } }).Condition?.StringLike?.[
          's3:prefix'
        ];
        expect(prefixes, owner).to.have.members(['private/*/resized/*', 'private/*/converted/*']);
      }
      const deleters = statements.filter(
        (s) => s.Effect === 'Allow' && asList(s.Action).some((a) => String(a).startsWith('s3:DeleteObject')),
      );
      expect([...new Set(deleters.map((s) => s.owner))]).to.have.members([
        'DeleteCascade',
        'DeletePhoto',
        ...SUPERSEDED_CLEANERS,
      ]);
    });

    it('never allows a wildcard action', () => {
      const broad = statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) =>
          asList(s.Action)
            .map(String)
            .filter((a) => a === '*' || a.endsWith(':*'))
            .map((a) => `${s.owner}: ${a}`),
        );
      expect(broad).to.deep.equal([]);
    });

    it('uses no managed policies and only the SAM policy templates that name one resource', () => {
      expect(managed).to.deep.equal([]);
      expect([...new Set(samTemplates.map((t) => t.name))].sort()).to.deep.equal([
        'LambdaInvokePolicy',
        'StepFunctionsExecutionPolicy',
      ]);
    });
  });

  describe('PhotoRepo bucket', () => {
    const bucket = resource('PhotoRepo').Properties as Json;

    it('blocks all public access', () => {
      expect(bucket.PublicAccessBlockConfiguration).to.deep.equal({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    });

    it('encrypts by default', () => {
      const rules = (bucket.BucketEncryption as { ServerSideEncryptionConfiguration: Json[] })
        .ServerSideEncryptionConfiguration;
      expect((rules[0]?.ServerSideEncryptionByDefault as Json).SSEAlgorithm).to.be.oneOf([
        'AES256',
        'aws:kms',
        'aws:kms:dsse',
      ]);
    });

    it('denies every request that is not over TLS, on the bucket and its objects', () => {
      const [, policy] = onlyOne(
        resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
          ([, r]) => refTarget((r.Properties as Json).Bucket) === 'PhotoRepo',
        ),
      );
      const statement = ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement.find(
        (s) =>
          s.Effect === 'Deny' &&
          JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      expect(statement, 'TLS-only deny statement').to.exist;
      expect(statement?.Principal).to.equal('*');
      expect(statement?.Action).to.equal('s3:*');
      expect(statement?.Resource).to.deep.equal([
        { 'Fn::GetAtt': ['PhotoRepo', 'Arn'] },
        { 'Fn::Sub': '${PhotoRepo.Arn}/*' },
      ]);
    });

    it('sends its events to EventBridge', () => {
      expect(bucket.NotificationConfiguration).to.deep.equal({
        EventBridgeConfiguration: { EventBridgeEnabled: true },
      });
    });
  });

  describe('ImageMetadataTable', () => {
    const table = resource('ImageMetadataTable').Properties as Json;

    it('is on-demand with point-in-time recovery and encryption', () => {
      expect(table.BillingMode).to.equal('PAY_PER_REQUEST');
      expect(table.PointInTimeRecoverySpecification).to.deep.equal({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).to.deep.include({ SSEEnabled: true });
    });

    it('lists a user’s and an album’s photos newest first (ByUser, ByAlbum)', () => {
      const indexes = Object.fromEntries(
        (table.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[]).map((i) => [
          i.IndexName,
          i.KeySchema,
        ]),
      );
      expect(indexes).to.deep.equal({
        ByUser: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'uploadedAt', KeyType: 'RANGE' },
        ],
        ByAlbum: [
          { AttributeName: 'albumKey', KeyType: 'HASH' },
          { AttributeName: 'uploadedAt', KeyType: 'RANGE' },
        ],
      });
    });

    it('defines exactly the attributes its keys use', () => {
      const keyNames = [
        ...(table.KeySchema as { AttributeName: string }[]),
        ...(table.GlobalSecondaryIndexes as { KeySchema: { AttributeName: string }[] }[]).flatMap((i) => i.KeySchema),
      ].map((k) => k.AttributeName);
      const defined = (table.AttributeDefinitions as { AttributeName: string }[]).map((a) => a.AttributeName);
      expect([...new Set(keyNames)].sort()).to.deep.equal([...defined].sort());
    });
  });

  describe('upload rule', () => {
    const trigger = functions.find((f) => f.logicalId === 'S3Trigger') as FunctionSpec;
    const [eventName, event] = onlyOne(Object.entries(trigger.events));
    const props = (event.Properties ?? {}) as Json;

    it('is an EventBridge rule on Object Created in PhotoRepo with the key wildcard private/*/uploads/*', () => {
      expect(event.Type).to.equal('EventBridgeRule');
      const pattern = props.Pattern as Json;
      expect(pattern.source).to.deep.equal(['aws.s3']);
      expect(pattern['detail-type']).to.deep.equal(['Object Created']);
      expect(pattern.detail).to.deep.equal({
        bucket: { name: [{ Ref: 'PhotoRepo' }] },
        object: { key: [{ wildcard: 'private/*/uploads/*' }] },
      });
    });

    it('retries and dead-letters to a queue that accepts messages from this rule only', () => {
      expectRuleDeadLettered('S3Trigger', eventName, props);
    });
  });

  describe('status-change rule (ReconcileExecution)', () => {
    const reconciler = functions.find((f) => f.logicalId === 'ReconcileExecution') as FunctionSpec;
    const [eventName, event] = onlyOne(Object.entries(reconciler.events));
    const props = (event.Properties ?? {}) as Json;

    it('is the EventBridge rule ExecutionStatusChanged on FAILED, TIMED_OUT, ABORTED of ImageProcessing only', () => {
      expect(eventName).to.equal('ExecutionStatusChanged');
      expect(event.Type).to.equal('EventBridgeRule');
      expect(props.Pattern).to.deep.equal({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: 'ImageProcessing' }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      });
    });

    it('retries and dead-letters to a queue that accepts messages from this rule only', () => {
      expectRuleDeadLettered('ReconcileExecution', eventName, props);
    });

    it('failed asynchronous invocations go to the same queue; the function may write the item table only', () => {
      const queue = refTarget((props.DeadLetterConfig as Json).Arn);
      expect(refTarget((reconciler.properties.DeadLetterQueue as Json).TargetArn)).to.equal(queue);
      const statements = asList(reconciler.properties.Policies).flatMap(
        (policy) => asList((policy as Json).Statement) as Json[],
      );
      const dynamo = statements.filter((st) => asList(st.Action).some((a) => String(a).startsWith('dynamodb:')));
      expect(dynamo.map((st) => [st.Action, st.Resource])).to.deep.equal([
        ['dynamodb:UpdateItem', { 'Fn::GetAtt': ['ImageMetadataTable', 'Arn'] }],
      ]);
    });

    it('publishes the outcome it records to NotificationTopic, and to nothing else', () => {
      const statements = asList(reconciler.properties.Policies).flatMap(
        (policy) => asList((policy as Json).Statement) as Json[],
      );
      const sns = statements.filter((st) => asList(st.Action).some((a) => String(a).startsWith('sns:')));
      expect(sns.map((st) => [st.Action, st.Resource])).to.deep.equal([['sns:Publish', { Ref: 'NotificationTopic' }]]);
      const variables = (reconciler.properties.Environment as { Variables: Json }).Variables;
      expect(variables.NOTIFICATION_TOPIC_ARN).to.deep.equal({ Ref: 'NotificationTopic' });
    });
  });

  describe('HTTP API', () => {
    const api = resource('HttpApi').Properties as Json;
    const auth = api.Auth as Json;
    const routeFunctions = functions.filter((f) => Object.values(f.events).some((e) => e.Type === 'HttpApi'));
    const routeOf = (fn: FunctionSpec) => {
      const props = Object.values(fn.events).find((e) => e.Type === 'HttpApi')?.Properties as Json;
      return `${String(props.Method)} ${String(props.Path)}`;
    };

    it('verifies Cognito access tokens with a JWT authorizer: issuer the user pool, audience the app client', () => {
      expect(resource('HttpApi').Type).to.equal('AWS::Serverless::HttpApi');
      expect(auth.DefaultAuthorizer).to.equal('CognitoAuthorizer');
      expect(auth.Authorizers).to.deep.equal({
        CognitoAuthorizer: {
          IdentitySource: '$request.header.Authorization',
          JwtConfiguration: {
            issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' },
            audience: [{ Ref: 'UserPoolClient' }],
          },
        },
      });
    });

    it('has exactly the routes of docs/api.md, each on this API, each behind the authorizer, one function each', () => {
      const documented = [
        ...readFileSync(path.join(PROJECT_ROOT, 'docs/api.md'), 'utf8').matchAll(
          /^\| `(GET|POST|PATCH|DELETE) ([^?`]+)[^`]*` \|/gm,
        ),
      ].map((m) => `${m[1]} ${m[2]}`);
      expect(documented.sort()).to.deep.equal(Object.keys(API_ROUTES).sort());
      expect(Object.fromEntries(routeFunctions.map((fn) => [routeOf(fn), fn.logicalId]))).to.deep.equal(API_ROUTES);
      for (const fn of routeFunctions) {
        const events = Object.values(fn.events);
        expect(events, fn.logicalId).to.have.lengthOf(1);
        const props = events[0]?.Properties as Json;
        expect(props.ApiId, fn.logicalId).to.deep.equal({ Ref: 'HttpApi' });
        expect(props, `${fn.logicalId} keeps the default authorizer`).not.to.have.property('Auth');
        expect(props, `${fn.logicalId} uses payload format 2.0`).not.to.have.property('PayloadFormatVersion');
      }
    });

    it('allows CORS from the CloudFront URL and CorsAllowedOrigin only, for every route method', () => {
      const cors = api.CorsConfiguration as { AllowOrigins: unknown[]; AllowHeaders: string[]; AllowMethods: string[] };
      expect(cors.AllowOrigins).to.deep.equal([
        { 'Fn::Sub': 'https://${WebDistribution.DomainName}' },
        { Ref: 'CorsAllowedOrigin' },
      ]);
      expect(cors.AllowHeaders).to.include.members(['authorization', 'content-type']);
      const methods = new Set(Object.keys(API_ROUTES).map((route) => route.split(' ')[0]));
      expect(cors.AllowMethods).to.have.members([...methods]);
    });

    it('logs every request as JSON to a log group with retention, and throttles by default', () => {
      const logs = api.AccessLogSettings as { DestinationArn: unknown; Format: string };
      const group = resource(refTarget(logs.DestinationArn) as string);
      expect(group.Type).to.equal('AWS::Logs::LogGroup');
      expect(group.Properties).to.have.property('RetentionInDays');
      const format = JSON.parse(logs.Format) as Record<string, string>;
      expect(format).to.include({
        requestId: '$context.requestId',
        status: '$context.status',
        routeKey: '$context.routeKey',
      });
      const throttling = api.DefaultRouteSettings as { ThrottlingBurstLimit: number; ThrottlingRateLimit: number };
      expect(throttling.ThrottlingBurstLimit).to.be.greaterThan(0);
      expect(throttling.ThrottlingRateLimit).to.be.greaterThan(0);
    });

    describe('each route function', () => {
      const { statements } = policyStatements();
      const TABLES: Record<string, string> = {
        IMAGE_METADATA_TABLE: 'ImageMetadataTable',
        ALBUM_METADATA_TABLE: 'AlbumMetadataTable',
      };
      for (const fn of routeFunctions) {
        it(`${fn.logicalId}: its policy names the tables and bucket it uses, and nothing broader`, () => {
          const own = statements.filter((s) => s.owner === fn.logicalId);
          expect(own.length, 'inline statements').to.be.greaterThan(0);
          const resources = own.flatMap((s) => asList(s.Resource));
          const named = new Set(resources.map((r) => JSON.stringify(r)));
          for (const [variable, table] of Object.entries(TABLES)) {
            if (!(variable in fn.environment)) continue;
            expect(fn.environment[variable], variable).to.deep.equal({ Ref: table });
            const names = [...named].some((r) => r.includes(`"${table}"`) || r.includes(`\${${table}.Arn}`));
            expect(names, `${fn.logicalId} policy names ${table}`).to.equal(true);
          }
          for (const r of resources) {
            const text = JSON.stringify(r);
            expect(text, 'no wildcard resource').not.to.equal('"*"');
            if (text.includes('PhotoRepo.Arn}/')) {
              expect(text, 'objects only in the user folders').to.match(
                /PhotoRepo\.Arn\}\/private\/\*\/(uploads|resized|converted)\/\*"/,
              );
            }
          }
          const actions = own.flatMap((s) => asList(s.Action).map(String));
          expect(
            actions.filter((a) => !/^(dynamodb|s3|states):[A-Z]/.test(a)),
            'only the services it calls',
          ).to.deep.equal([]);
        });
      }

      it('sign URLs only for the folders they answer: uploads (original, presigned POST) and resized (thumbnails, covers)', () => {
        const objectGrants = (id: string) =>
          statements
            .filter((s) => s.owner === id)
            .flatMap((s) =>
              asList(s.Action).flatMap((a) => asList(s.Resource).map((r) => `${String(a)} ${JSON.stringify(r)}`)),
            )
            .filter((grant) => grant.includes('PhotoRepo.Arn}/'));
        const folder = (grant: string) => `${grant.split(' ')[0]} ${/private\/\*\/(\w+)\//.exec(grant)?.[1]}`;
        expect(objectGrants('ListAlbums').map(folder)).to.deep.equal(['s3:GetObject resized']);
        expect(objectGrants('ListPhotos').map(folder)).to.deep.equal(['s3:GetObject resized']);
        expect(objectGrants('GetPhoto').map(folder)).to.have.members(['s3:GetObject uploads', 's3:GetObject resized']);
        expect(objectGrants('CreateUpload').map(folder)).to.deep.equal(['s3:PutObject uploads']);
        expect(objectGrants('DeletePhoto').map(folder)).to.have.members([
          's3:DeleteObject uploads',
          's3:DeleteObjectVersion uploads',
        ]);
      });

      it('list bucket versions only under the prefixes they delete', () => {
        const listing = statements.filter((s) => asList(s.Action).includes('s3:ListBucketVersions'));
        expect(listing.map((s) => s.owner).sort()).to.deep.equal(['DeleteCascade', 'DeletePhoto']);
        for (const s of listing) {
          expect(s.Resource).to.deep.equal({ 'Fn::GetAtt': ['PhotoRepo', 'Arn'] });
          const prefixes = (s as { Condition?: { StringLike?: Record<string, string[]> } }).Condition?.StringLike?.[
            's3:prefix'
          ];
          expect(prefixes, s.owner).to.be.an('array').that.is.not.empty;
          for (const prefix of prefixes ?? [])
            expect(prefix).to.match(/^private\/\*\/(uploads|resized|converted)\/\*$/);
        }
      });

      it("reads executions of ImageProcessing only (GetPhotoExecution, ReconcileExecution), never another state machine's", () => {
        const reads = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('states:')));
        expect(reads.map((s) => s.owner)).to.deep.equal(['ReconcileExecution', 'GetPhotoExecution']);
        const [reconcile, photo] = reads;
        expect(asList(photo?.Action)).to.have.members(['states:DescribeExecution', 'states:GetExecutionHistory']);
        expect(asList(reconcile?.Action)).to.deep.equal(['states:DescribeExecution']);
        for (const read of reads)
          expect(read?.Resource).to.deep.equal({
            'Fn::Sub':
              'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${ImageProcessing.Name}:*',
          });
      });

      it('take the upload size limit from the UploadMaxBytes parameter', () => {
        const upload = functions.find((f) => f.logicalId === 'CreateUpload') as FunctionSpec;
        expect(upload.environment.UPLOAD_MAX_BYTES).to.deep.equal({ Ref: 'UploadMaxBytes' });
        expect(template.Parameters?.UploadMaxBytes).to.include({ Type: 'Number', Default: 52428800 });
      });
    });
  });

  describe('Cognito', () => {
    const pool = resource('UserPool').Properties as Json;
    const client = resource('UserPoolClient').Properties as Json;

    it('signs users up by e-mail, verifies it, and asks for a strong password', () => {
      expect(pool.UsernameAttributes).to.deep.equal(['email']);
      expect(pool.AutoVerifiedAttributes).to.deep.equal(['email']);
      expect((pool.AdminCreateUserConfig as Json).AllowAdminCreateUserOnly).to.equal(false);
      const password = (pool.Policies as { PasswordPolicy: Json }).PasswordPolicy;
      expect(password.MinimumLength).to.be.at.least(12);
      expect(password).to.include({ RequireLowercase: true, RequireUppercase: true, RequireNumbers: true });
      expect(pool.AccountRecoverySetting).to.deep.equal({
        RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
      });
    });

    it('has a public app client: no secret, authorization code (PKCE) only, the Cognito directory, openid/email/profile', () => {
      expect(client.UserPoolId).to.deep.equal({ Ref: 'UserPool' });
      expect(client).to.include({
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        PreventUserExistenceErrors: 'ENABLED',
      });
      expect(client.AllowedOAuthFlows).to.deep.equal(['code']);
      expect(client.AllowedOAuthScopes).to.have.members(['openid', 'email', 'profile']);
      expect(client.SupportedIdentityProviders).to.deep.equal(['COGNITO']);
      expect(client.ExplicitAuthFlows, 'no password flows: sign-in goes through the managed login').to.deep.equal([
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]);
    });

    it('calls back and signs out to the CloudFront URL plus WebCallbackUrls (the local web app by default)', () => {
      expect(template.Parameters?.WebCallbackUrls).to.include({
        Type: 'CommaDelimitedList',
        Default: 'http://localhost:4566/_app/',
      });
      const local = loadStackModel({
        identity: {
          region: 'eu-west-1',
          accountId: '123456789012',
          stackName: 'photos',
          endpoint: 'http://127.0.0.1:1',
        },
      });
      for (const field of ['CallbackURLs', 'LogoutURLs']) {
        expect(local.resolve(client[field]), field).to.deep.equal([
          'https://webdistribution.cloudfront.net/',
          'http://localhost:4566/_app/',
        ]);
      }
      expect(client.CallbackURLs).to.deep.equal(client.LogoutURLs);
    });

    it('has a managed login domain whose prefix is a parameter, defaulting to the stack name and account', () => {
      const domain = resource('UserPoolDomain').Properties as Json;
      expect(domain.UserPoolId).to.deep.equal({ Ref: 'UserPool' });
      expect(domain.Domain).to.deep.equal({
        'Fn::If': [
          'HasAuthDomainPrefix',
          { Ref: 'AuthDomainPrefix' },
          { 'Fn::Sub': '${AWS::StackName}-${AWS::AccountId}' },
        ],
      });
      expect((template as unknown as { Conditions: Json }).Conditions.HasAuthDomainPrefix).to.deep.equal({
        'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AuthDomainPrefix' }, ''] }],
      });
      expect(template.Parameters?.AuthDomainPrefix).to.include({ Type: 'String', Default: '' });
    });
  });

  describe('AlbumMetadataTable', () => {
    const table = resource('AlbumMetadataTable').Properties as Json;

    it('is on-demand with point-in-time recovery and encryption, keyed by user and album', () => {
      expect(table.BillingMode).to.equal('PAY_PER_REQUEST');
      expect(table.PointInTimeRecoverySpecification).to.deep.equal({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).to.deep.include({ SSEEnabled: true });
      expect(table.KeySchema).to.deep.equal([
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'albumId', KeyType: 'RANGE' },
      ]);
    });

    it('lets the ImageMetadata table expire the tombstones of deleted photos', () => {
      expect((resource('ImageMetadataTable').Properties as Json).TimeToLiveSpecification).to.deep.equal({
        AttributeName: 'expiresAt',
        Enabled: true,
      });
    });
  });

  describe('delete rule', () => {
    const cascade = functions.find((f) => f.logicalId === 'DeleteCascade') as FunctionSpec;
    const [eventName, event] = onlyOne(Object.entries(cascade.events));
    const props = (event.Properties ?? {}) as Json;

    it('is an EventBridge rule on Object Deleted in PhotoRepo with the key wildcard private/*/uploads/*', () => {
      expect(event.Type).to.equal('EventBridgeRule');
      const pattern = props.Pattern as Json;
      expect(pattern).to.deep.equal({
        source: ['aws.s3'],
        'detail-type': ['Object Deleted'],
        detail: { bucket: { name: [{ Ref: 'PhotoRepo' }] }, object: { key: [{ wildcard: 'private/*/uploads/*' }] } },
      });
    });

    it('retries, and dead-letters (rule and function) to a queue that accepts messages from this rule only', () => {
      expect(props.RetryPolicy).to.have.all.keys('MaximumRetryAttempts', 'MaximumEventAgeInSeconds');
      const queueId = refTarget((props.DeadLetterConfig as Json).Arn) as string;
      expect(refTarget((cascade.properties.DeadLetterQueue as Json).TargetArn)).to.equal(queueId);
      const [, queuePolicy] = onlyOne(
        resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, r]) =>
          asList((r.Properties as Json).Queues).some((q) => refTarget(q) === queueId),
        ),
      );
      const allow = ((queuePolicy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement.find(
        (s) => s.Effect === 'Allow',
      ) as Json;
      expect(allow.Condition).to.deep.equal({
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [`DeleteCascade${eventName}`, 'Arn'] } },
      });
    });
  });

  describe('hosting', () => {
    const bucket = resource('WebBucket').Properties as Json;
    const config = (resource('WebDistribution').Properties as { DistributionConfig: Json }).DistributionConfig;
    const headers = (resource('WebResponseHeadersPolicy').Properties as { ResponseHeadersPolicyConfig: Json })
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig as Record<string, Json>;

    it('keeps the web app in a private, encrypted bucket that only this distribution may read, over TLS', () => {
      expect(bucket.PublicAccessBlockConfiguration).to.deep.equal({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket).to.have.property('BucketEncryption');
      const [, policy] = onlyOne(
        resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
          ([, r]) => refTarget((r.Properties as Json).Bucket) === 'WebBucket',
        ),
      );
      const statements = ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement;
      const allow = statements.filter((s) => s.Effect === 'Allow');
      expect(allow).to.deep.equal([
        {
          Sid: 'ReadByTheDistributionOnly',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: { 'Fn::Sub': '${WebBucket.Arn}/*' },
          Condition: {
            StringEquals: {
              'aws:SourceArn': {
                'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}',
              },
            },
          },
        },
      ]);
      expect(
        statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')),
      ).to.equal(true);
    });

    it('serves it through CloudFront with origin access control, HTTPS only, index.html at the root and for app routes', () => {
      const [origin] = config.Origins as Json[];
      expect(origin?.DomainName).to.deep.equal({ 'Fn::GetAtt': ['WebBucket', 'RegionalDomainName'] });
      expect(origin?.OriginAccessControlId).to.deep.equal({ 'Fn::GetAtt': ['WebOriginAccessControl', 'Id'] });
      expect(origin?.S3OriginConfig, 'no legacy origin access identity').to.deep.equal({ OriginAccessIdentity: '' });
      expect(
        (resource('WebOriginAccessControl').Properties as { OriginAccessControlConfig: Json })
          .OriginAccessControlConfig,
      ).to.include({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      });
      expect(config.DefaultRootObject).to.equal('index.html');
      const behaviour = config.DefaultCacheBehavior as Json;
      expect(behaviour.ViewerProtocolPolicy).to.equal('redirect-to-https');
      expect(behaviour.AllowedMethods).to.deep.equal(['GET', 'HEAD']);
      expect(behaviour.ResponseHeadersPolicyId).to.deep.equal({ Ref: 'WebResponseHeadersPolicy' });
      expect(
        (config.CustomErrorResponses as Json[]).map((r) => [r.ErrorCode, r.ResponseCode, r.ResponsePagePath]),
      ).to.deep.equal([
        [403, 200, '/index.html'],
        [404, 200, '/index.html'],
      ]);
    });

    it('sends CSP (frame-ancestors none, self-only scripts), HSTS, nosniff and DENY framing on every answer', () => {
      const csp = String(
        (headers.ContentSecurityPolicy as { ContentSecurityPolicy: { 'Fn::Sub': string } }).ContentSecurityPolicy[
          'Fn::Sub'
        ],
      );
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      ) as Record<string, string[]>;
      expect(directives['frame-ancestors']).to.deep.equal(["'none'"]);
      expect(directives['default-src']).to.deep.equal(["'self'"]);
      expect(directives['script-src']).to.deep.equal(["'self'"]);
      expect(directives['object-src']).to.deep.equal(["'none'"]);
      expect(directives['connect-src']).to.include.members([
        "'self'",
        'https://*.execute-api.${AWS::Region}.amazonaws.com',
        'https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com',
        'https://cognito-idp.${AWS::Region}.amazonaws.com',
      ]);
      expect(headers.ContentSecurityPolicy?.Override).to.equal(true);
      expect(headers.StrictTransportSecurity).to.include({ Override: true, IncludeSubdomains: true });
      expect(Number(headers.StrictTransportSecurity?.AccessControlMaxAgeSec)).to.be.at.least(31536000);
      expect(headers.ContentTypeOptions).to.deep.equal({ Override: true });
      expect(headers.FrameOptions).to.deep.equal({ Override: true, FrameOption: 'DENY' });
    });

    it('lets the web app upload from its CloudFront origin (and CorsAllowedOrigin) to the photo bucket', () => {
      const [rule] = ((resource('PhotoRepo').Properties as Json).CorsConfiguration as { CorsRules: Json[] }).CorsRules;
      expect(rule?.AllowedOrigins).to.deep.equal([
        { 'Fn::Sub': 'https://${WebDistribution.DomainName}' },
        { Ref: 'CorsAllowedOrigin' },
      ]);
      expect(rule?.AllowedMethods).to.include('POST');
    });
  });

  describe('alarms and the operations topic', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    const props = (logicalId: string) => resource(logicalId).Properties as Json;
    /** The one metric an alarm watches: its own, or each MetricStat of its metric math. */
    const metricsOf = (alarm: Json): Json[] =>
      alarm.Metrics
        ? (alarm.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => (m.MetricStat as Json).Metric as Json)
        : [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }];
    const alarmsOn = (namespace: string, metricName: string) =>
      alarms.filter(([, alarm]) =>
        metricsOf(alarm.Properties as Json).some((m) => m.Namespace === namespace && m.MetricName === metricName),
      );

    it('sends every alarm, when it fires and when it clears, to the OperationsTopic only, above a threshold of 0', () => {
      expect(alarms.length).to.be.at.least(7);
      for (const [id, alarm] of alarms) {
        const p = alarm.Properties as Json;
        expect(asList(p.AlarmActions).map(refTarget), id).to.deep.equal(['OperationsTopic']);
        expect(asList(p.OKActions).map(refTarget), id).to.deep.equal(['OperationsTopic']);
        expect(p, id).to.include({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
        expect(p.TreatMissingData, `${id}: no data is no incident`).to.equal('notBreaching');
        expect(String(p.AlarmDescription ?? ''), id).to.have.length.greaterThan(20);
      }
    });

    it('encrypts the OperationsTopic with a rotated key CloudWatch may use, as it must to publish to it', () => {
      const key = props('OperationsTopicKey');
      expect(resource('OperationsTopicKey').Type).to.equal('AWS::KMS::Key');
      expect(key.EnableKeyRotation).to.equal(true);
      expect(props('OperationsTopic').KmsMasterKeyId).to.deep.equal({ Ref: 'OperationsTopicKey' });
      const statements = (key.KeyPolicy as { Statement: Json[] }).Statement;
      expect(statements).to.deep.include({
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      expect(statements.filter((s) => JSON.stringify(s.Principal).includes('"*"'))).to.deep.equal([]);
      const policy = props('OperationsTopicPolicy');
      expect(asList(policy.Topics).map(refTarget)).to.deep.equal(['OperationsTopic']);
      const topicStatements = (policy.PolicyDocument as { Statement: Json[] }).Statement;
      expect(topicStatements.map((s) => s.Sid)).to.deep.equal(['DenyInsecureTransport', 'CloudWatchAlarmsPublish']);
      expect(topicStatements[1]).to.deep.include({ Principal: { Service: 'cloudwatch.amazonaws.com' } });
      expect((topicStatements[1]?.Condition as Json).StringEquals).to.deep.equal({
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
      });
    });

    it('subscribes AlarmEmail by e-mail only when it is set', () => {
      expect(template.Parameters?.AlarmEmail).to.include({ Type: 'String', Default: '' });
      expect((template as { Conditions?: Json }).Conditions?.HasAlarmEmail).to.deep.equal({
        'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
      });
      const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription').filter(
        ([, s]) => refTarget((s.Properties as Json).TopicArn) === 'OperationsTopic',
      );
      expect(subscriptions.map(([id]) => id)).to.deep.equal(['AlarmEmailSubscription']);
      const [, subscription] = subscriptions[0] as [string, CfnResource];
      expect((subscription as { Condition?: unknown }).Condition).to.equal('HasAlarmEmail');
      expect(subscription.Properties).to.deep.include({ Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
      const pattern = new RegExp(String((template.Parameters?.AlarmEmail as Json).AllowedPattern));
      expect(['', 'ops@example.com'].every((value) => pattern.test(value))).to.equal(true);
      expect(['ops', 'a@b@c'].some((value) => pattern.test(value))).to.equal(false);
    });

    it('watches every dead-letter queue for a message (the Maximum of ApproximateNumberOfMessagesVisible)', () => {
      const queues = resourcesOfType(template, 'AWS::SQS::Queue').map(([id]) => id);
      expect(queues).to.have.members([
        'S3TriggerDeadLetterQueue',
        'DeleteCascadeDeadLetterQueue',
        'ReconcileExecutionDeadLetterQueue',
      ]);
      const watched = alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible').map(([, alarm]) => {
        const p = alarm.Properties as Json;
        expect(p.Statistic).to.equal('Maximum');
        const [dimension] = asList(p.Dimensions) as Json[];
        expect(dimension?.Name).to.equal('QueueName');
        return refTarget(dimension?.Value);
      });
      expect(watched).to.have.members(queues);
    });

    it('alarms on failed executions other than unsupported uploads, and on timed-out ones, of ImageProcessing', () => {
      const stateMachineDimension = [{ Name: 'StateMachineArn', Value: { Ref: 'ImageProcessing' } }];
      const [[, timedOut]] = alarmsOn('AWS/States', 'ExecutionsTimedOut') as [[string, CfnResource]];
      expect((timedOut.Properties as Json).Dimensions).to.deep.equal(stateMachineDimension);
      const failed = props('ExecutionsFailedAlarm');
      const [failedMetric, unsupported] = metricsOf(failed);
      expect(failedMetric).to.deep.include({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' });
      expect(failedMetric?.Dimensions).to.deep.equal(stateMachineDimension);
      // The UNSUPPORTED outcomes as functions/lib/metrics.ts emits them: namespace and service from Globals.
      const globalVariables = (globals.Environment as { Variables: Json }).Variables;
      expect(globalVariables.POWERTOOLS_METRICS_NAMESPACE).to.deep.equal({ Ref: 'AWS::StackName' });
      expect(unsupported).to.deep.equal({
        Namespace: globalVariables.POWERTOOLS_METRICS_NAMESPACE,
        MetricName: METRIC.outcomes,
        Dimensions: [
          { Name: 'service', Value: globalVariables.POWERTOOLS_SERVICE_NAME },
          { Name: 'status', Value: 'UNSUPPORTED' },
        ],
      });
      const returned = (failed.Metrics as Json[]).filter((m) => m.ReturnData === true);
      expect(returned.map((m) => m.Expression)).to.deep.equal(['FILL(failed, 0) - FILL(unsupported, 0)']);
    });

    it("alarms on Lambda throttles account-wide, on the event consumers' errors, and on the HTTP API's 5xx", () => {
      const [[, throttles]] = alarmsOn('AWS/Lambda', 'Throttles') as [[string, CfnResource]];
      expect((throttles.Properties as Json).Dimensions, 'the shared concurrency pool').to.equal(undefined);
      const errors = metricsOf(props('EventConsumerErrorsAlarm'));
      expect(errors.every((m) => m.Namespace === 'AWS/Lambda' && m.MetricName === 'Errors')).to.equal(true);
      expect(errors.map((m) => refTarget((asList(m.Dimensions)[0] as Json).Value))).to.have.members([
        'S3Trigger',
        'DeleteCascade',
        'ReconcileExecution',
      ]);
      const summed = asList(props('EventConsumerErrorsAlarm').Metrics).find((m) => (m as Json).ReturnData) as Json;
      for (const { Id } of asList(props('EventConsumerErrorsAlarm').Metrics) as Json[])
        if (Id !== summed.Id) expect(summed.Expression, 'every function counts').to.include(`FILL(${Id as string}, 0)`);
      const api = props('HttpApi5xxAlarm');
      expect(api).to.deep.include({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Statistic: 'Sum' });
      expect(api.Dimensions).to.deep.equal([{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }]);
    });
  });

  describe('outputs', () => {
    it('names what npm run deploy:web and the local DescribeStacks read (FRONT-DOOR.md), with their values', () => {
      const values = Object.fromEntries(
        Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, output.Value]),
      );
      expect(values).to.deep.include({
        HttpApiUrl: { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' },
        WebAppUrl: { 'Fn::Sub': 'https://${WebDistribution.DomainName}/' },
        UserPoolId: { Ref: 'UserPool' },
        UserPoolClientId: { Ref: 'UserPoolClient' },
        AuthUrl: { 'Fn::Sub': 'https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com' },
        AuthIssuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' },
        WebBucketName: { Ref: 'WebBucket' },
        WebDistributionId: { Ref: 'WebDistribution' },
        PhotoRepoBucketName: { Ref: 'PhotoRepo' },
        ImageMetadataTableName: { Ref: 'ImageMetadataTable' },
        AlbumMetadataTableName: { Ref: 'AlbumMetadataTable' },
        ImageProcessingStateMachineArn: { Ref: 'ImageProcessing' },
      });
      expect((template.Outputs?.AuthIssuer as Json).Value, 'the tokens issuer is the authorizer issuer').to.deep.equal(
        ((auth: Json) =>
          ((auth.Authorizers as Json).CognitoAuthorizer as { JwtConfiguration: Json }).JwtConfiguration.issuer)(
          (resource('HttpApi').Properties as Json).Auth as Json,
        ),
      );
    });

    it('resolve offline too (the local stack builds itself from this template)', () => {
      const local = loadStackModel({
        identity: {
          region: 'us-east-1',
          accountId: '000000000000',
          stackName: 'local',
          endpoint: 'http://127.0.0.1:1',
        },
      });
      for (const name of Object.keys(template.Outputs ?? {})) {
        expect(local.outputs[name]?.value, name).to.be.a('string').and.not.equal('');
      }
    });
  });

  describe('checkov', () => {
    it('skips a check only inline, each with the reason', () => {
      const skips = Object.entries(template.Resources).flatMap(([id, res]) =>
        asList(((res.Metadata?.checkov ?? {}) as { skip?: unknown }).skip).map((s) => ({
          id,
          skip: s as { id?: unknown; comment?: unknown },
        })),
      );
      expect(skips.length).to.be.greaterThan(0);
      for (const { id, skip } of skips) {
        expect(skip.id, `${id} skip id`).to.match(/^CKV2?_AWS_\d+$/);
        expect(String(skip.comment ?? ''), `${id} ${String(skip.id)} comment`).to.have.length.greaterThan(20);
      }
    });
  });

  describe('schemas', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const schema = (name: string) => JSON.parse(readFileSync(path.join(__dirname, 'schemas', name), 'utf8')) as object;

    it('template.yaml is valid against the SAM JSON schema', () => {
      const validate = ajv.compile(schema('sam.schema.json'));
      const valid = validate(JSON.parse(JSON.stringify(template)));
      expect(validate.errors ?? [], 'schema errors').to.deep.equal([]);
      expect(valid).to.equal(true);
    });

    describe('samconfig.toml', () => {
      const config = parseToml(readFileSync(path.join(PROJECT_ROOT, 'samconfig.toml'), 'utf8')) as Record<
        string,
        Record<string, { parameters?: Json }>
      > & { version: number };

      it('is valid against the SAM CLI samconfig schema', () => {
        const validate = ajv.compile(schema('samcli-samconfig.schema.json'));
        const valid = validate(config);
        expect(validate.errors ?? [], 'schema errors').to.deep.equal([]);
        expect(valid).to.equal(true);
      });

      it('has the deploy defaults a guided deploy would write, and no region', () => {
        expect(config.version).to.equal(0.1);
        expect(config.default?.global?.parameters?.stack_name).to.be.a('string').and.not.be.empty;
        expect(config.default?.deploy?.parameters).to.deep.include({
          capabilities: 'CAPABILITY_IAM',
          resolve_s3: true,
          confirm_changeset: true,
        });
        expect(config.default?.validate?.parameters).to.deep.include({ lint: true });
        expect(JSON.stringify(config)).not.to.match(/"region"/);
      });
    });
  });
});
