/**
 * GRIB index sidecars: where each message of a GRIB file starts, as the archives that serve
 * big GRIB files publish it beside them —
 *   * NCEP's wgrib2 inventory (`file.grib2.idx`): `1:0:d=2024010100:TMP:2 m above ground:anl:`,
 *     message number, byte offset, then descriptions; sub-messages (`3.2:…`) share an offset;
 *   * ECMWF's JSON lines (`file.index`): `{"param": "2t", …, "_offset": 0, "_length": 12345}`.
 * With the offsets, every message's metadata can be requested at once (`message-prefetch.ts`)
 * instead of walking the file message by message, each read waiting for the last. The scan
 * itself is unchanged, so the index it builds is the full scan's: a sidecar that does not
 * match the file costs reads, never a wrong reference.
 */
import { CorruptFileError, VzarrError } from "../../errors/vzarr-error.js";
import type { ByteRange, ByteSource } from "../../io/byte-source.js";

/** The message starts an index gives (sorted, distinct) and its style. */
export interface GribIndex {
  style: "wgrib2" | "ecmwf";
  offsets: number[];
}

/** Parses either style (told apart by the first non-blank character). */
export function parseGribIndex(text: string, url: string): GribIndex {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new CorruptFileError("empty GRIB index", { file: url });
  const ecmwf = lines[0]?.trimStart().startsWith("{") === true;
  const offsets = new Set<number>();
  lines.forEach((line, i) => {
    const offset = ecmwf ? ecmwfOffset(line) : wgrib2Offset(line);
    if (offset === undefined || !Number.isSafeInteger(offset) || offset < 0) {
      throw new CorruptFileError(`line ${i + 1} of the GRIB index is not a ${ecmwf ? "JSON" : "wgrib2"} index line: ${line.slice(0, 80)}`, {
        file: url,
      });
    }
    offsets.add(offset);
  });
  return { style: ecmwf ? "ecmwf" : "wgrib2", offsets: [...offsets].sort((a, b) => a - b) };
}

function wgrib2Offset(line: string): number | undefined {
  const m = /^\s*\d+(?:\.\d+)?:(\d+):/.exec(line);
  return m === null ? undefined : Number(m[1]);
}

function ecmwfOffset(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { _offset?: unknown };
    return typeof entry._offset === "number" ? entry._offset : undefined;
  } catch {
    return undefined;
  }
}

/** Where a GRIB file's sidecar is published by convention: wgrib2's `.idx` first, then ECMWF's `.index`. */
export function sidecarCandidates(url: string): string[] {
  const m = /^(.*?)(\.[a-z0-9]+)?([?#].*)?$/i.exec(url);
  const base = m?.[1] ?? url;
  const query = m?.[3] ?? "";
  const path = url.slice(0, url.length - query.length);
  return [`${path}.idx${query}`, `${base}.index${query}`];
}

/** Whether a URL names a GRIB file by its extension (where `indexFile: "auto"` looks for a sidecar). */
export function looksLikeGrib(url: string): boolean {
  return /\.(grib2?|grb2?|gb2)$/i.test(url.replace(/[?#].*$/, ""));
}

/**
 * The index for `url`: `indexFile` names it, or `"auto"` tries the conventional sidecars and
 * gives undefined when there is none (any failure other than "not there" is reported).
 */
export async function loadGribIndex(
  url: string,
  indexFile: string,
  open: (url: string) => ByteSource,
): Promise<{ url: string; index: GribIndex } | undefined> {
  const candidates = indexFile === "auto" ? sidecarCandidates(url) : [indexFile];
  for (const candidate of candidates) {
    const source = open(candidate);
    try {
      const { size } = await source.stat();
      const text = new TextDecoder().decode(await source.read(0, size));
      return { url: candidate, index: parseGribIndex(text, candidate) };
    } catch (e) {
      if (indexFile === "auto" && e instanceof VzarrError && e.kind === "NotFound") continue;
      throw e;
    } finally {
      await source.close?.();
    }
  }
  return undefined;
}

/**
 * Bytes per message the scanner reads from its start: the indicator, the metadata sections
 * (its read window is at most 16 KiB) and section 7's header behind a bitmap.
 */
const MESSAGE_METADATA = 20 << 10;

/**
 * The ranges a scan of a file with these message starts reads: each message's metadata with
 * the 4 bytes before it (the previous message's "7777"), and the file's last 4 bytes.
 */
export function messageMetadataRanges(offsets: readonly number[], size: number): ByteRange[] {
  const out: ByteRange[] = [];
  for (const o of offsets) {
    if (o >= size) continue; // a stale index: the scan reads what it misses itself
    const start = Math.max(0, o - 4);
    out.push({ offset: start, length: Math.min(size, o + MESSAGE_METADATA) - start });
  }
  if (size >= 4) out.push({ offset: size - 4, length: 4 });
  return out;
}
