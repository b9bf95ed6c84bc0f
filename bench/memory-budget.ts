/**
 * How much of a function's MemorySize its decoders may use, from template.yaml (the one source of truth): Lambda
 * kills the sandbox when the whole process's RSS reaches MemorySize, and a bench child holds only the core. The
 * margin covers what it leaves out (docs/benchmarks.md, "Memory at the limits", has the measurements): the Lambda
 * runtime and the handler bundle with its AWS SDK (+27 MB over a bare `node` here), the SDK's second copy of the
 * object while it joins the response body (up to THUMBNAIL_MAX_BYTES, 50 MB), garbage a warm container has not
 * collected yet, and what differs between this x86 Node 20 and Lambda's arm64 Node 22.
 */
import { functionSpecs, loadTemplate, parameterDefaults, TEMPLATE_PATH } from '../local/template';

/** A quarter of MemorySize: 256 MB of GenerateThumbnail's 1024, 384 MB of ConvertImage's 1536. */
export const MARGIN_SHARE = 0.25;

export interface MemoryBudget {
  function: string;
  memorySizeMb: number;
  marginMb: number;
  /** memorySizeMb - marginMb: a worst-case peak must stay below this. */
  budgetMb: number;
  maxPixels: number;
  maxBytes: number;
  maxSize: number;
}

export function memoryBudgets(templatePath = TEMPLATE_PATH): { thumbnail: MemoryBudget; conversion: MemoryBudget } {
  const template = loadTemplate(templatePath);
  const defaults = parameterDefaults(template);
  const specs = functionSpecs(template);
  const budgetOf = (logicalId: string): MemoryBudget => {
    const spec = specs.find((candidate) => candidate.logicalId === logicalId);
    if (!spec) throw new Error(`template.yaml has no function ${logicalId}`);
    const marginMb = Math.round(spec.memoryMb * MARGIN_SHARE);
    return {
      function: logicalId,
      memorySizeMb: spec.memoryMb,
      marginMb,
      budgetMb: spec.memoryMb - marginMb,
      maxPixels: Number(defaults.ThumbnailMaxPixels),
      maxBytes: Number(spec.environment.THUMBNAIL_MAX_BYTES),
      maxSize: Number(defaults.ThumbnailMaxSize),
    };
  };
  return { thumbnail: budgetOf('GenerateThumbnail'), conversion: budgetOf('ConvertImage') };
}
