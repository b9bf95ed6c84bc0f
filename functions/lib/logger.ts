import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs (Powertools). Service name and level come from POWERTOOLS_* variables in template.yaml. */
export const logger = new Logger();
