import { expect } from 'chai';
import { IMAGE_FORMATS, SUPPORTED_FORMATS } from '../../functions/lib/image-metadata';
import { branchOutputPath, PROCESS_IMAGE_BRANCHES } from '../../functions/lib/workflow';
import { cloneDefinition, findState, imageProcessingDefinition, type AslDefinition } from '../support/asl-definition';

/**
 * The ASL and the core agree on what each of them names once in the core: the formats ImageTypeCheck lets through
 * (SUPPORTED_FORMATS) and the order of the ProcessImage branches, whose results the ASL reads by position
 * (PROCESS_IMAGE_BRANCHES). Each check is a function of a definition, shown to catch a broken copy.
 */
const FORMAT_VARIABLE = '$.metadata.Payload.format';

/** The formats a Choice sends to `next`, from its rules (a StringEquals on the format, alone or in an Or). */
function formatsRoutedTo(definition: AslDefinition, choice: string, next: string): string[] {
  const leaves = (rule: Record<string, unknown>): Record<string, unknown>[] =>
    Array.isArray(rule.Or) ? (rule.Or as Record<string, unknown>[]).flatMap(leaves) : [rule];
  const rules = (findState(definition, choice).Choices ?? []) as unknown as Record<string, unknown>[];
  return rules
    .filter((rule) => rule.Next === next)
    .flatMap(leaves)
    .map((leaf) => {
      const { Variable, StringEquals, ...rest } = leaf;
      if (Variable !== FORMAT_VARIABLE || typeof StringEquals !== 'string' || Object.keys(rest).length > 0) {
        throw new Error(`${choice} has a rule this check cannot read: ${JSON.stringify(leaf)}`);
      }
      return StringEquals;
    });
}

function formatProblems(definition: AslDefinition): string[] {
  const routed = formatsRoutedTo(definition, 'ImageTypeCheck', 'StoreImageMetadata');
  return [
    ...SUPPORTED_FORMATS.filter((format) => !routed.includes(format)).map((f) => `${f} is supported but not routed`),
    ...routed
      .filter((format) => !(SUPPORTED_FORMATS as readonly string[]).includes(format))
      .map((f) => `${f} is routed but not supported`),
    ...routed.filter((format, i) => routed.indexOf(format) !== i).map((f) => `${f} is routed twice`),
  ];
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

describe('the ASL agrees with the core (statemachine/image-processing.asl.json)', () => {
  const { definition } = imageProcessingDefinition();

  it('ImageTypeCheck sends exactly SUPPORTED_FORMATS on to StoreImageMetadata, and every literal is a known format', () => {
    expect(formatProblems(definition)).to.deep.equal([]);
    for (const format of formatsRoutedTo(definition, 'ImageTypeCheck', 'StoreImageMetadata')) {
      expect(IMAGE_FORMATS).to.include(format);
    }
  });

  it('the format check catches a Choice missing a supported format, or routing one more', () => {
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
});
