/**
 * `s3://bucket/key` as an HTTP source with SigV4-signed requests (aws4fetch, WebCrypto, so
 * it works in browsers too). Credentials, region and endpoint come from the usual AWS
 * environment variables unless given; a custom endpoint (MinIO, moto, Ceph) uses path-style
 * addressing. Without credentials requests are sent unsigned (public buckets).
 */
import { AwsClient } from "aws4fetch";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { defaultFetch, type HttpOptions, HttpSource } from "./http.js";

export interface S3Options extends HttpOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  /** e.g. `http://127.0.0.1:5000`; default `https://s3.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Send requests unsigned even if credentials exist in the environment. */
  anonymous?: boolean;
}

function env(name: string): string | undefined {
  return typeof process !== "undefined" ? process.env?.[name] : undefined;
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (m === null) throw new InvalidArgumentError(`not an s3://bucket/key URL: ${url}`);
  return { bucket: m[1] as string, key: m[2] as string };
}

/** The HTTP URL and signing client for an `s3://` URL. */
export function s3Endpoint(url: string, options: S3Options = {}): { httpUrl: string; client: AwsClient | undefined } {
  const { bucket, key } = parseS3Url(url);
  const region = options.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
  const endpoint = (options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL"))?.replace(/\/+$/, "");
  const encodedKey = key.split("/").map(encodeURIComponent).join("/");
  const httpUrl =
    endpoint !== undefined ? `${endpoint}/${bucket}/${encodedKey}` : `https://${bucket}.s3.${region}.amazonaws.com/${encodedKey}`;
  const accessKeyId = options.accessKeyId ?? env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = options.secretAccessKey ?? env("AWS_SECRET_ACCESS_KEY");
  const anonymous = options.anonymous ?? env("AWS_NO_SIGN_REQUEST") === "true";
  const client =
    anonymous || accessKeyId === undefined || secretAccessKey === undefined
      ? undefined
      : new AwsClient({
          accessKeyId,
          secretAccessKey,
          sessionToken: options.sessionToken ?? env("AWS_SESSION_TOKEN"),
          region,
          service: "s3",
        });
  return { httpUrl, client };
}

export class S3Source extends HttpSource {
  constructor(url: string, options: S3Options = {}) {
    const { httpUrl, client } = s3Endpoint(url, options);
    const base = options.fetch ?? defaultFetch;
    super(url, {
      ...options,
      fetch: async (_u, init) => {
        if (client === undefined) return base(httpUrl, init);
        const signed = await client.sign(httpUrl, { method: init.method, headers: init.headers as Record<string, string> });
        return base(signed.url, { method: signed.method, headers: signed.headers, signal: init.signal });
      },
    });
  }
}
