/** The emulators ship no type declarations; these cover what the local stack uses. */
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { AddressInfo } from 'node:net';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    /** Where objects live (a FilesystemStore by default); the local stack puts its own store here. */
    store: unknown;
    context: { store: unknown };
  }
  interface S3rverEvent {
    Records: {
      eventName: string;
      eventTime: string;
      requestParameters?: { sourceIPAddress?: string };
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } };
    }[];
  }
  export = S3rver;
}

declare module 's3rver/lib/models/account' {
  interface Account {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  }
  const AWSAccount: { registry: Map<string, Account>; DUMMY_ACCOUNT: Account };
  export = AWSAccount;
}

declare module 's3rver/lib/models/error' {
  class S3Error extends Error {
    constructor(code: string, message?: string, detail?: Record<string, unknown>);
    readonly code: string;
    readonly status: number;
  }
  export = S3Error;
}

declare module 's3rver/lib/models/object' {
  import type { Readable } from 'node:stream';
  class S3Object {
    constructor(bucket: string, key: string, content: Readable | Buffer | null, metadata: Record<string, unknown>);
    static readonly ALLOWED_METADATA: string[];
    bucket: string;
    key: string;
    content: Readable | Buffer | null;
    metadata: Record<string, string>;
    range?: { start: number; end: number };
    readonly size: number;
  }
  export = S3Object;
}

declare module 's3rver/lib/models/bucket' {
  class S3Bucket {
    constructor(name: string, creationDate: Date);
  }
  export = S3Bucket;
}

declare module 's3rver/lib/models/config' {
  interface S3Config {
    type: string;
    toXML(space?: number): string;
  }
  export function getConfigModel(type: string): { new (xml: string): S3Config } | undefined;
}

declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
