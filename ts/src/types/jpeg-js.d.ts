// jpeg-js's decoder module alone (its index also loads the encoder); typed by ts/src/codecs/jpeg.ts.
declare module "jpeg-js/lib/decoder.js" {
  const decode: unknown;
  export default decode;
}
