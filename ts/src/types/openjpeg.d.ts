// @cornerstonejs/codec-openjpeg ships an emscripten factory without type declarations.
declare module "@cornerstonejs/codec-openjpeg/decodewasmjs" {
  const factory: (module: object) => Promise<unknown>;
  export default factory;
}
