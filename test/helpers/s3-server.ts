import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Credentials s3rver accepts (it checks signatures against these). */
export const S3_TEST_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** An S3-compatible server (s3rver) on loopback with one bucket, `corpus`. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>` (pass as --s3-endpoint or AWS_ENDPOINT_URL). */
  endpoint: string;
  /** Stores (or replaces) an object. */
  put(key: string, bytes: Buffer, bucket?: string): Promise<void>;
  /** Stores every file under a local folder at `prefix/` + its relative path. */
  putFolder(dir: string, prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts s3rver in a child process (see s3rver-child.mjs) with its data in a temporary folder. */
export async function startS3Server(): Promise<S3TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-s3rver-'));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', path.join(here, 's3rver-child.mjs'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const put = async (key: string, bytes: Buffer, bucket = 'corpus'): Promise<void> => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  };
  return {
    endpoint,
    put,
    async putFolder(local: string, prefix: string) {
      for (const name of (fs.readdirSync(local, { recursive: true }) as string[]).sort()) {
        const full = path.join(local, name);
        if (fs.statSync(full).isFile()) await put(`${prefix}/${name.split(path.sep).join('/')}`, fs.readFileSync(full));
      }
    },
    async close() {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
