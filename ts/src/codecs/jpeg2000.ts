/**
 * JPEG 2000 decoding for GRIB2 template 5.40: the codestream is decoded by OpenJPEG compiled
 * to wasm (`@cornerstonejs/codec-openjpeg`), which each platform loads its own way.
 */
import { CorruptFileError, UnsupportedFeatureError } from "../errors/vzarr-error.js";

export interface Jpeg2000Decoder {
  /** Decodes one codestream to its samples (one component), in raster order. */
  decode(codestream: Uint8Array): Uint32Array;
}

/** The subset of the OpenJPEG wasm module this file uses. */
export interface OpenJpegModule {
  J2KDecoder: new () => {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  };
}

let loader: (() => Promise<Jpeg2000Decoder>) | undefined;
let decoder: Promise<Jpeg2000Decoder> | undefined;

export function setJpeg2000Loader(load: () => Promise<Jpeg2000Decoder>): void {
  loader = load;
  decoder = undefined;
}

export function jpeg2000Decoder(): Promise<Jpeg2000Decoder> {
  if (loader === undefined) throw new UnsupportedFeatureError("no JPEG 2000 decoder is available on this platform");
  decoder ??= loader();
  return decoder;
}

/**
 * The image size a codestream's SIZ marker declares, checked against the samples the GRIB
 * field says it packs before OpenJPEG allocates it: a flipped bit in SIZ made the decoder take
 * a gigabyte and seconds for a 37 x 64 field (found by scripts/fuzz-node.mjs).
 */
export function checkCodestreamSize(codestream: Uint8Array, samples: number, variable?: string): void {
  const v = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  // SOC (FF4F), then SIZ (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz
  if (codestream.length < 42 || v.getUint16(0) !== 0xff4f || v.getUint16(2) !== 0xff51) {
    throw new CorruptFileError("the JPEG 2000 codestream does not start with SOC and SIZ", { variable });
  }
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  const components = v.getUint16(40);
  if (!(width > 0 && height > 0) || width * height * components > samples) {
    throw new CorruptFileError(
      `the JPEG 2000 codestream declares ${width} x ${height} x ${components} samples, the field packs ${samples}`,
      {
        variable,
      },
    );
  }
}

/** Wraps an instantiated OpenJPEG module. */
export function openJpegDecoder(mod: OpenJpegModule): Jpeg2000Decoder {
  return {
    decode(codestream) {
      const d = new mod.J2KDecoder();
      try {
        d.getEncodedBuffer(codestream.length).set(codestream);
        d.decode();
        const info = d.getFrameInfo();
        if (info.componentCount !== 1) {
          throw new UnsupportedFeatureError(`a GRIB JPEG 2000 codestream with ${info.componentCount} components`);
        }
        if (info.bitsPerSample > 16) {
          // The OpenJPEG build hands out 8- or 16-bit samples only.
          throw new UnsupportedFeatureError(`JPEG 2000 samples of ${info.bitsPerSample} bits (the decoder handles up to 16)`);
        }
        const raw = d.getDecodedBuffer();
        const n = info.width * info.height;
        const out = new Uint32Array(n);
        if (info.bitsPerSample <= 8) {
          for (let i = 0; i < n; i++) out[i] = raw[i] as number;
        } else {
          const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
          for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true);
        }
        return out;
      } finally {
        d.delete();
      }
    },
  };
}
