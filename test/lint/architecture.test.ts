import { expect } from 'chai';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../local/template';

/**
 * The architecture's arrows (docs/architecture.md, "Rooms") are lint rules in eslint.config.mjs. These cases show that
 * each rule fails on a violation, so a config change that silently stops enforcing one fails here; the files are
 * linted as text under a path inside the tree, never written.
 */
describe('eslint.config.mjs enforces the rooms', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: PROJECT_ROOT });

  async function problems(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
  }
  const sdkClient = (from: string) => `import { S3Client } from '${from}';\nexport const client = new S3Client({});\n`;
  const sdkType = (from: string) => `import type { S3Client } from '${from}';\nexport type Client = S3Client;\n`;

  const violations: [string, string, string, RegExp][] = [
    ['a core file importing the SDK', 'functions/lib/x.ts', sdkClient('@aws-sdk/client-s3'), /Only adapters/],
    ['a core file importing an SDK type', 'functions/lib/x.ts', sdkType('@aws-sdk/client-s3'), /Only adapters/],
    [
      'a core file in a subfolder importing the SDK',
      'functions/lib/metadata/x.ts',
      sdkClient('@aws-sdk/client-rekognition'),
      /Only adapters/,
    ],
    [
      'a core file importing an adapter',
      'functions/lib/x.ts',
      "import { s3Client } from './aws/s3-client';\nexport const client = s3Client;\n",
      /does not depend on adapters/,
    ],
    [
      'a core file in a subfolder importing an adapter',
      'functions/lib/thumbnail/x.ts',
      "import { s3Objects } from '../aws/s3-objects';\nexport const objects = s3Objects;\n",
      /does not depend on adapters/,
    ],
    [
      'a handler importing the SDK',
      'functions/x.ts',
      "import { SFNClient } from '@aws-sdk/client-sfn';\nexport const client = new SFNClient({});\n",
      /Only adapters/,
    ],
    [
      'a handler importing the local stack',
      'functions/x.ts',
      "import { helper } from '../local/x';\nexport const value = helper;\n",
      /never imports local/,
    ],
    [
      'an adapter importing a test helper',
      'functions/lib/aws/x.ts',
      "import { helper } from '../../../test/support/x';\nexport const value = helper;\n",
      /never imports local\/, bench\/, scripts\/, test\/ or web\//,
    ],
    [
      'a page importing code from functions/',
      'web/src/x.ts',
      "import { parseUploadKey } from '../../functions/lib/upload-key';\nexport const parse = parseUploadKey;\n",
      /only the contract types of functions/,
    ],
    ['a page importing the SDK', 'web/src/x.ts', sdkClient('@aws-sdk/client-s3'), /runs in a browser/],
    [
      'a page importing the local stack',
      'web/src/x.tsx',
      "import { helper } from '../../local/x';\nexport const value = helper;\n",
      /runs in a browser/,
    ],
    [
      'a component calling a hook conditionally',
      'web/src/x.tsx',
      "import { useState } from 'react';\nexport function A(p: { on: boolean }) {\n  if (p.on) useState(0);\n  return null;\n}\n",
      /react-hooks\/rules-of-hooks/,
    ],
    [
      'a handler longer than 40 lines',
      'functions/x.ts',
      Array.from({ length: 41 }, (_, i) => `export const line${i} = ${i};`).join('\n') + '\n',
      /max-lines: File has too many lines \(41\)\. Maximum allowed is 40/,
    ],
  ];
  for (const [what, filePath, code, expected] of violations) {
    it(`fails ${what} (${filePath})`, async () => {
      const found = await problems(filePath, code);
      expect(found, found.join('\n')).to.have.lengthOf(1);
      expect(found[0]).to.match(expected);
    });
  }

  const allowed: [string, string, string][] = [
    ['an adapter importing the SDK', 'functions/lib/aws/x.ts', sdkClient('@aws-sdk/client-s3')],
    [
      'a handler wiring an adapter and the core',
      'functions/x.ts',
      "import { s3Objects } from './lib/aws/s3-objects';\nimport { extractUploadMetadata } from './lib/metadata';\n" +
        'export const wired = [s3Objects, extractUploadMetadata];\n',
    ],
    [
      'a handler of exactly 40 lines',
      'functions/x.ts',
      Array.from({ length: 40 }, (_, i) => `export const line${i} = ${i};`).join('\n') + '\n',
    ],
    ['a test importing the SDK', 'test/unit/x.test.ts', sdkClient('@aws-sdk/client-s3')],
    [
      'a page importing a contract type from functions/',
      'web/src/x.ts',
      "import type { ImageItem } from '../../functions/lib/image-item';\nexport type Item = ImageItem;\n",
    ],

    [
      'a core file longer than 40 lines',
      'functions/lib/x.ts',
      Array.from({ length: 60 }, (_, i) => `export const l${i} = ${i};`).join('\n') + '\n',
    ],
  ];
  for (const [what, filePath, code] of allowed) {
    it(`passes ${what} (${filePath})`, async () => {
      expect(await problems(filePath, code)).to.deep.equal([]);
    });
  }
});
