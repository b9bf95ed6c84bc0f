/** A template construct the local stack cannot resolve; the message says which and where. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}
