/** Messages between the main thread and the scan workers. */
import type { BackendKind } from "../../backend/core.js";
import type { DatasetPayload, PayloadStats } from "./transfer.js";

/** What a worker needs to open one file (the serialisable subset of open options). */
export interface OpenFileOptions {
  /** A built-in parser's name (a worker has only those). */
  parser?: string;
  allow?: readonly string[];
  group?: string;
  dropVariables?: readonly string[];
  loadableVariables?: readonly string[];
  decodeTimes?: boolean;
  indexFile?: string;
}

export interface WorkerInit {
  backend: BackendKind;
}

export interface OpenRequest {
  id: number;
  url: string;
  options: OpenFileOptions;
}

export interface ErrorPayload {
  kind: string;
  message: string;
  file?: string;
  variable?: string;
  offset?: number;
}

export type OpenReply =
  | { id: number; ok: true; dataset: DatasetPayload; stats: PayloadStats }
  | { id: number; ok: false; error: ErrorPayload };
