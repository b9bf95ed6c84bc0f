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
    it('has the nine functions of the workflow, and ConvertImage', () => {
      expect(functions.map((f) => f.logicalId)).to.have.members([
        'ConvertImage',
        'S3Trigger',
        'ExtractImageMetadata',
        'RecordUnsupported',
        'StoreImageMetadata',
        'DetectLabels',
        'StoreLabels',
        'GenerateThumbnail',
        'CompleteProcessing',
        'RecordFailure',
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
    const taskStates = allStates(asl).filter(([, state]) => state.Type === 'Task');

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
      // ConvertImage is in the template since issue 15's phase 1; the ASL calls it from phase 2 on.
      expect(functions.map((f) => f.logicalId).filter((id) => !invoked.includes(id))).to.deep.equal([
        'S3Trigger',
        'ConvertImage',
      ]);
    });
  });

  describe('environment variables', function () {
    this.timeout(BUILD_TIMEOUT_MS);

    // Variables the code may read without the template declaring them, and why.
    const OPTIONAL_UNDECLARED: Record<string, string> = {
      AWS_S3_FORCE_PATH_STYLE:
        'set only by the local stack (path-style S3 for the emulator); unset on AWS means virtual-hosted style',
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
        {
          owner: 'DetectLabels',
          sid: 'DetectLabels',
          actions: ['rekognition:DetectFaces', 'rekognition:DetectLabels'],
        },
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
      expect(props.RetryPolicy).to.have.all.keys('MaximumRetryAttempts', 'MaximumEventAgeInSeconds');
      const queueId = refTarget((props.DeadLetterConfig as Json).Arn) as string;
      expect(resource(queueId).Type).to.equal('AWS::SQS::Queue');
      const [, queuePolicy] = onlyOne(
        resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, r]) =>
          asList((r.Properties as Json).Queues).some((q) => refTarget(q) === queueId),
        ),
      );
      const allow = ((queuePolicy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement.find(
        (s) => s.Effect === 'Allow',
      ) as Json;
      expect(allow.Principal).to.deep.equal({ Service: 'events.amazonaws.com' });
      expect(allow.Action).to.equal('sqs:SendMessage');
      // SAM names the rule it generates <FunctionLogicalId><EventName>.
      expect(allow.Condition).to.deep.equal({
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [`S3Trigger${eventName}`, 'Arn'] } },
      });
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
