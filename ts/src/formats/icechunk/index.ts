/** The Icechunk format: write a VirtualDataset as a commit, read a version back, manage refs. */
import { IcechunkRepository, type RefInfo, type SnapshotSummary, type VersionSpec } from "./repository.js";
import type { Storage } from "./storage.js";

export type { ContainerStore, S3ContainerOptions, VirtualChunkContainer } from "./containers.js";
export { LocalStorage } from "./local-storage.js";
export type { ReadChunkRef } from "./manifest.js";
export { lookupChunk, type OpenIcechunkOptions, openIcechunk } from "./read-dataset.js";
export { IcechunkRepository, type RefInfo, type SnapshotSummary, type VersionSpec } from "./repository.js";
export { S3Storage, type S3StorageOptions } from "./s3-storage.js";
export type { Storage } from "./storage.js";
export { type WriteIcechunkOptions, writeIcechunk } from "./write-dataset.js";

/** Commits reachable from a branch (default `main`), tag or snapshot, newest first. */
export async function listSnapshots(repo: string | Storage, version: VersionSpec = {}): Promise<SnapshotSummary[]> {
  return (await IcechunkRepository.open(repo)).log(version);
}

export async function listBranches(repo: string | Storage): Promise<RefInfo[]> {
  return (await IcechunkRepository.open(repo)).branches();
}

export async function listTags(repo: string | Storage): Promise<RefInfo[]> {
  return (await IcechunkRepository.open(repo)).tags();
}
