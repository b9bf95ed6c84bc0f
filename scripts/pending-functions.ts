import { functionSpecs, type CfnTemplate, type FunctionSpec } from '../local/template';

/**
 * Functions whose handler exists but whose template.yaml entry is still to be written (issue 15 is done in two phases:
 * this branch brings ConvertImage's code, the template and the state machine wire it next). Until then the build, the
 * bundle tests and the bench treat each as the template will: the esbuild options of GenerateThumbnail (the same
 * Globals and BuildProperties every function uses), its own entry point and handler, and the variables it reads.
 * A function disappears from this list by itself once template.yaml declares it.
 */
export function pendingFunctions(template: CfnTemplate): FunctionSpec[] {
  const declared = functionSpecs(template);
  if (declared.some((fn) => fn.logicalId === 'ConvertImage')) return [];
  const model = declared.find((fn) => fn.logicalId === 'GenerateThumbnail');
  if (!model) return [];
  return [
    {
      ...model,
      logicalId: 'ConvertImage',
      handler: 'convert-image.handler',
      entryPoints: ['functions/convert-image.ts'],
      buildProperties: { ...model.buildProperties, EntryPoints: ['functions/convert-image.ts'] },
      // Same limits as GenerateThumbnail: the whole object is read, and the pixel budget is the template parameter.
      environment: {
        ...Object.fromEntries(Object.entries(model.environment).filter(([name]) => name !== 'THUMBNAIL_MAX_SIZE')),
      },
      events: {},
    },
  ];
}
