import { expect } from 'chai';
import type { RenditionRef } from '../../functions/lib/image-item';
import { IMAGE_FORMATS, SUPPORTED_FORMATS } from '../../functions/lib/image-metadata';
import type { FinalStatus } from '../../functions/lib/notification';
import type { RecordedOutcome } from '../../functions/lib/outcomes';
import {
  branchOutputPath,
  BRANCH_RESULT_FIELDS,
  CONVERTIBLE_FLAG,
  PROCESS_IMAGE_BRANCHES,
  RENDITION_FIELD,
} from '../../functions/lib/workflow';
import { cloneDefinition, findState, imageProcessingDefinition, type AslDefinition } from '../support/asl-definition';

/**
 * The ASL and the core agree on what each of them names once in the core: the formats ImageTypeCheck lets through
 * (SUPPORTED_FORMATS, and what ExtractImageMetadata flags CONVERTIBLE_FLAG), where ConvertImage's rendition lands
 * (RENDITION_FIELD, read by the steps after it) and the order of the ProcessImage branches, whose results the ASL
 * reads by position (PROCESS_IMAGE_BRANCHES). Each check is a function of a definition, shown to catch a broken copy.
 */
const METADATA = '$.metadata.Payload';
const FORMAT_VARIABLE = `${METADATA}.format`;
const CONVERTIBLE_VARIABLE = `${METADATA}.${CONVERTIBLE_FLAG}`;
/** The one rule that lets a flagged upload through: present (a payload without it must not fail the Choice), true. */
const CONVERTIBLE_RULE = {
  And: [
    { Variable: CONVERTIBLE_VARIABLE, IsPresent: true },
    { Variable: CONVERTIBLE_VARIABLE, BooleanEquals: true },
  ],
};

interface Routes {
  formats: string[];
  /** How many rules send flagged uploads (CONVERTIBLE_RULE) to this state. */
  convertible: number;
}

/**
 * What a Choice sends to `next`, from its rules: format literals (a StringEquals on the format, alone or in an Or) and
 * the convertible rule. Any other rule is an error: the check must understand every way through.
 */
function routesTo(definition: AslDefinition, choice: string, next: string): Routes {
  const leaves = (rule: Record<string, unknown>): Record<string, unknown>[] =>
    Array.isArray(rule.Or) ? (rule.Or as Record<string, unknown>[]).flatMap(leaves) : [rule];
  const rules = (findState(definition, choice).Choices ?? []) as unknown as Record<string, unknown>[];
  const routes: Routes = { formats: [], convertible: 0 };
  for (const { Next: _next, ...rule } of rules.filter((candidate) => candidate.Next === next)) {
    if (JSON.stringify(rule) === JSON.stringify(CONVERTIBLE_RULE)) {
      routes.convertible += 1;
      continue;
    }
    for (const leaf of leaves(rule)) {
      const { Variable, StringEquals, ...rest } = leaf;
      if (Variable !== FORMAT_VARIABLE || typeof StringEquals !== 'string' || Object.keys(rest).length > 0) {
        throw new Error(`${choice} has a rule this check cannot read: ${JSON.stringify(leaf)}`);
      }
      routes.formats.push(StringEquals);
    }
  }
  return routes;
}

function formatProblems(definition: AslDefinition): string[] {
  const { formats: routed, convertible } = routesTo(definition, 'ImageTypeCheck', 'StoreImageMetadata');
  return [
    ...SUPPORTED_FORMATS.filter((format) => !routed.includes(format)).map((f) => `${f} is supported but not routed`),
    ...routed
      .filter((format) => !(SUPPORTED_FORMATS as readonly string[]).includes(format))
      .map((f) => `${f} is routed but not supported`),
    ...routed.filter((format, i) => routed.indexOf(format) !== i).map((f) => `${f} is routed twice`),
    ...(convertible === 1 ? [] : [`${convertible} rules let ${CONVERTIBLE_FLAG} uploads through, not 1`]),
  ];
}

/**
 * The convertible route: StoreImageMetadata goes to ConversionCheck, which sends exactly the flagged uploads to
 * ConvertImage and the others on to ProcessImage; ConvertImage puts the rendition (every field of RenditionRef) at
 * RENDITION_FIELD of the metadata and goes on to ProcessImage; its NotSupportedImageType goes to RecordUnsupported.
 */
function conversionProblems(definition: AslDefinition): string[] {
  const problems: string[] = [];
  const expectEqual = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what} is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`);
    }
  };
  expectEqual('StoreImageMetadata.Next', findState(definition, 'StoreImageMetadata').Next, 'ConversionCheck');
  const check = findState(definition, 'ConversionCheck');
  expectEqual('ConversionCheck.Default', check.Default, 'ProcessImage');
  expectEqual('what ConversionCheck sends to ConvertImage', routesTo(definition, 'ConversionCheck', 'ConvertImage'), {
    formats: [],
    convertible: 1,
  });
  expectEqual('the number of ConversionCheck rules', check.Choices?.length, 1);
  const convert = findState(definition, 'ConvertImage');
  expectEqual('ConvertImage.ResultPath', convert.ResultPath, `${METADATA}.${RENDITION_FIELD}`);
  expectEqual('ConvertImage.Next', convert.Next, 'ProcessImage');
  const rendition: Record<keyof RenditionRef, string> = {
    key: '$.Payload.key',
    versionId: '$.Payload.versionId',
    sizeBytes: '$.Payload.sizeBytes',
    format: '$.Payload.format',
    width: '$.Payload.width',
    height: '$.Payload.height',
  };
  expectEqual(
    'ConvertImage.ResultSelector',
    convert.ResultSelector,
    Object.fromEntries(Object.entries(rendition).map(([field, path]) => [`${field}.$`, path])),
  );
  const refusal = convert.Catch?.find((catcher) => catcher.ErrorEquals.includes('NotSupportedImageType'));
  expectEqual('where ConvertImage sends NotSupportedImageType', refusal?.Next, 'RecordUnsupported');
  expectEqual('where ConvertImage keeps its refusal', refusal?.ResultPath, `${METADATA}.unsupported`);
  return problems;
}

/**
 * The branches' StartAt in PROCESS_IMAGE_BRANCHES order, and every `$[i].field` the Parallel state reads from its
 * output naming the branch that writes `$.field` (its ResultPath), at the index the named list gives that branch.
 */
function branchProblems(definition: AslDefinition): string[] {
  const parallel = findState(definition, 'ProcessImage');
  const branches = parallel.Branches ?? [];
  const problems: string[] = [];
  const starts = branches.map((branch) => branch.StartAt);
  if (JSON.stringify(starts) !== JSON.stringify(PROCESS_IMAGE_BRANCHES)) {
    problems.push(`branches start at ${starts.join(', ')}, not ${PROCESS_IMAGE_BRANCHES.join(', ')}`);
  }
  const reads = JSON.stringify([parallel.ResultSelector ?? {}, parallel.OutputPath ?? '']).matchAll(
    /"(\$\[(\d+)\]\.(\w+)[^"]*)"/g,
  );
  for (const [, path, index, field] of reads) {
    const writer = branches.findIndex((branch) =>
      Object.values(branch.States).some((state) => state.ResultPath === `$.${field}`),
    );
    const named = PROCESS_IMAGE_BRANCHES[writer];
    if (writer < 0 || !named) problems.push(`${path}: no branch writes $.${field}`);
    else if (!path?.startsWith(`${branchOutputPath(named)}.`)) {
      problems.push(`${path}: $.${field} is written by ${named}, which is ${branchOutputPath(named)}`);
    }
    if (Number(index) >= branches.length) problems.push(`${path}: there are ${branches.length} branches`);
  }
  return problems;
}

/**
 * ProcessImage hands on exactly one result per branch, from the field that branch writes, under the name
 * BRANCH_RESULT_FIELDS gives it (what CompleteProcessing's input checks), each the step's Payload.
 */
function resultProblems(definition: AslDefinition): string[] {
  const parallel = findState(definition, 'ProcessImage');
  const expected = Object.fromEntries(
    PROCESS_IMAGE_BRANCHES.map((branch) => {
      const field = BRANCH_RESULT_FIELDS[branch];
      return [`${field}.$`, `${branchOutputPath(branch)}.${field}.Payload`];
    }),
  );
  const problems: string[] = [];
  if (JSON.stringify(parallel.ResultSelector) !== JSON.stringify(expected)) {
    problems.push(`ProcessImage.ResultSelector is ${JSON.stringify(parallel.ResultSelector)}`);
  }
  (parallel.Branches ?? []).forEach((branch, index) => {
    const field = BRANCH_RESULT_FIELDS[PROCESS_IMAGE_BRANCHES[index] as keyof typeof BRANCH_RESULT_FIELDS];
    const writers = Object.entries(branch.States).filter(([, state]) => state.ResultPath !== undefined);
    for (const [name, state] of writers) {
      if (state.ResultPath !== `$.${field}`)
        problems.push(`${name} writes ${String(state.ResultPath)}, not $.${field}`);
    }
  });
  return problems;
}

/**
 * The end of every path: the three record steps keep what they answer (RecordedOutcome: status, notification) at
 * $.outcome, RecordFailure also the error's name, and OutcomeCheck ends each FinalStatus in its own terminal state
 * (FAILED by default; a FAILED whose error is UploadNotFound in UploadNotFound, the one rule on the error).
 */
const sameFields = (a: unknown, b: object) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

/** OutcomeCheck's one rule on the error: a FAILED outcome whose error is UploadNotFound ends in UploadNotFound. */
function isUploadNotFoundRule(rule: object): boolean {
  return sameFields(rule, {
    And: [
      { Variable: '$.outcome.error', IsPresent: true },
      { Variable: '$.outcome.error', StringEquals: 'UploadNotFound' },
    ],
    Next: 'UploadNotFound',
  });
}

function outcomeProblems(definition: AslDefinition): string[] {
  const problems: string[] = [];
  const fields: Record<keyof RecordedOutcome, string> = {
    status: '$.Payload.status',
    notification: '$.Payload.notification',
  };
  const selector = Object.fromEntries(Object.entries(fields).map(([field, path]) => [`${field}.$`, path]));
  for (const record of ['CompleteProcessing', 'RecordUnsupported', 'RecordFailure']) {
    const state = findState(definition, record);
    const expected = record === 'RecordFailure' ? { ...selector, 'error.$': '$.Payload.error.name' } : selector;
    if (!sameFields(state.ResultSelector, expected) || state.ResultPath !== '$.outcome') {
      problems.push(`${record} does not keep { status, notification } at $.outcome`);
    }
  }
  const ends: Record<FinalStatus, string> = {
    SUCCEEDED: 'Processed',
    UNSUPPORTED: 'NotSupportedImageType',
    FAILED: 'ProcessingFailed',
  };
  const check = findState(definition, 'OutcomeCheck');
  const rules = (check.Choices ?? []) as unknown as { Variable?: string; StringEquals?: string; Next: string }[];
  for (const [status, end] of Object.entries(ends)) {
    const rule = rules.find((candidate) => candidate.StringEquals === status);
    const next = rule?.Variable === '$.outcome.status' ? rule.Next : status === 'FAILED' ? check.Default : undefined;
    if (next !== end) problems.push(`OutcomeCheck sends ${status} to ${String(next)}, not ${end}`);
  }
  for (const rule of rules.filter((candidate) => !isUploadNotFoundRule(candidate))) {
    if (!(String(rule.StringEquals) in ends)) problems.push(`OutcomeCheck tests ${String(rule.StringEquals)}`);
  }
  return problems;
}

describe('the ASL agrees with the core (statemachine/image-processing.asl.json)', () => {
  const { definition } = imageProcessingDefinition();

  it('ImageTypeCheck sends exactly SUPPORTED_FORMATS and the convertible uploads on to StoreImageMetadata, every literal a known format', () => {
    expect(formatProblems(definition)).to.deep.equal([]);
    for (const format of routesTo(definition, 'ImageTypeCheck', 'StoreImageMetadata').formats) {
      expect(IMAGE_FORMATS).to.include(format);
    }
    expect(findState(definition, 'ImageTypeCheck').Default).to.equal('RecordUnsupported');
  });

  it('the format check catches a Choice missing a supported format, routing one more, or losing the convertible route', () => {
    const missing = cloneDefinition(definition);
    const rule = findState(missing, 'ImageTypeCheck').Choices?.[0] as unknown as { Or: unknown[] };
    rule.Or.pop();
    expect(formatProblems(missing)).to.have.lengthOf(1);
    const extra = cloneDefinition(definition);
    (findState(extra, 'ImageTypeCheck').Choices?.[0] as unknown as { Or: unknown[] }).Or.push({
      Variable: FORMAT_VARIABLE,
      StringEquals: 'GIF',
    });
    expect(formatProblems(extra)).to.deep.equal(['GIF is routed but not supported']);
    const noConversion = cloneDefinition(definition);
    const typeCheck = findState(noConversion, 'ImageTypeCheck');
    typeCheck.Choices = typeCheck.Choices?.slice(0, 1);
    expect(formatProblems(noConversion)).to.deep.equal([`0 rules let ${CONVERTIBLE_FLAG} uploads through, not 1`]);
    const unguarded = cloneDefinition(definition);
    const guarded = findState(unguarded, 'ImageTypeCheck').Choices?.[1] as unknown as { And: unknown[] };
    guarded.And.shift();
    expect(() => formatProblems(unguarded), 'a BooleanEquals without IsPresent is not the convertible rule').to.throw(
      /cannot read/,
    );
  });

  it('converts exactly the flagged uploads after StoreImageMetadata, and ConvertImage leaves the rendition where the next steps read it', () => {
    expect(conversionProblems(definition)).to.deep.equal([]);
  });

  it('the conversion check catches a rendition put elsewhere, a field dropped and a wrong way out', () => {
    const elsewhere = cloneDefinition(definition);
    findState(elsewhere, 'ConvertImage').ResultPath = '$.rendition';
    expect(conversionProblems(elsewhere)).to.deep.equal([
      `ConvertImage.ResultPath is "$.rendition", not "${METADATA}.${RENDITION_FIELD}"`,
    ]);
    const dropped = cloneDefinition(definition);
    delete (findState(dropped, 'ConvertImage').ResultSelector as Record<string, string>)['height.$'];
    expect(conversionProblems(dropped).join()).to.match(/^ConvertImage.ResultSelector is /);
    const skipped = cloneDefinition(definition);
    findState(skipped, 'StoreImageMetadata').Next = 'ProcessImage';
    findState(skipped, 'ConversionCheck').Default = 'ConvertImage';
    expect(conversionProblems(skipped)).to.have.lengthOf(2);
  });

  it('ProcessImage runs its branches in PROCESS_IMAGE_BRANCHES order, and reads each result from its own branch', () => {
    expect(branchProblems(definition)).to.deep.equal([]);
    const selector = findState(definition, 'ProcessImage').ResultSelector as Record<string, string>;
    const indexed = Object.values(selector).filter((path) => /^\$\[\d+\]\./.test(path));
    expect(indexed, 'the ASL reads at least one branch result by position').to.not.be.empty;
  });

  it('the branch check catches swapped branches and a path to the wrong branch', () => {
    const swapped = cloneDefinition(definition);
    findState(swapped, 'ProcessImage').Branches?.reverse();
    expect(branchProblems(swapped)).to.have.length.of.at.least(1);
    const misread = cloneDefinition(definition);
    const selector = findState(misread, 'ProcessImage').ResultSelector as Record<string, string>;
    const next = (index: string) => (Number(index) + 1) % PROCESS_IMAGE_BRANCHES.length;
    for (const [field, path] of Object.entries(selector)) {
      selector[field] = path.replace(/^\$\[(\d+)\]/, (_, index: string) => `$[${next(index)}]`);
    }
    expect(branchProblems(misread).join('\n')).to.match(/is written by \w+, which is \$\[\d+\]/);
  });

  it('hands on one result per branch under the name BRANCH_RESULT_FIELDS gives it, and the check catches a misnamed one', () => {
    expect(resultProblems(definition)).to.deep.equal([]);
    const misnamed = cloneDefinition(definition);
    findState(misnamed, 'DetectFacesFailed').ResultPath = '$.face';
    expect(resultProblems(misnamed)).to.deep.equal(['DetectFacesFailed writes $.face, not $.faces']);
    const dropped = cloneDefinition(definition);
    delete (findState(dropped, 'ProcessImage').ResultSelector as Record<string, string>)['moderation.$'];
    expect(resultProblems(dropped)).to.have.lengthOf(1);
  });

  it('keeps each recorded outcome where NotifyResult and OutcomeCheck read it, and ends every FinalStatus in its own state', () => {
    expect(outcomeProblems(definition)).to.deep.equal([]);
    const swapped = cloneDefinition(definition);
    const rules = findState(swapped, 'OutcomeCheck').Choices as unknown as { Next: string }[];
    [rules[0]!.Next, rules[1]!.Next] = [rules[1]!.Next, rules[0]!.Next];
    expect(outcomeProblems(swapped)).to.have.lengthOf(2);
    const lost = cloneDefinition(definition);
    findState(lost, 'RecordFailure').ResultPath = null;
    expect(outcomeProblems(lost)).to.deep.equal(['RecordFailure does not keep { status, notification } at $.outcome']);
  });
});
