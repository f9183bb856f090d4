/** A moto S3 server (from the project's .venv) on 127.0.0.1, started and stopped by a test. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { AwsClient } from "aws4fetch";
import { python } from "./python.js";

export const motoServerBin = join(dirname(python), "moto_server");
export const hasMoto = existsSync(motoServerBin);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface Moto {
  endpoint: string;
  client: AwsClient;
  env: Record<string, string>;
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  createBucket(bucket: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const proc: ChildProcess = spawn(motoServerBin, ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: endpoint };
  const client = new AwsClient({ accessKeyId: "testing", secretAccessKey: "testing", region: "us-east-1", service: "s3" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error("moto_server did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ok = async (res: Response) => {
    if (!res.ok) throw new Error(`S3 setup failed: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    endpoint,
    client,
    env,
    createBucket: async (bucket) => ok(await client.fetch(`${endpoint}/${bucket}`, { method: "PUT" })),
    put: async (bucket, key, body) =>
      ok(await client.fetch(`${endpoint}/${bucket}/${key}`, { method: "PUT", body: new Blob([body as Uint8Array<ArrayBuffer>]) })),
    stop: async () => {
      proc.kill();
      await new Promise((r) => proc.once("exit", r));
    },
  };
}
