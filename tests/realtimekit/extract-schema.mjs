// Prints the protobuf schema that an installed RealtimeKit web SDK bundle carries, as JSON:
//   {"socket.room.Peer": [{"no": 1, "name": "peer_id", "kind": "scalar", "T": 9, "repeat": 0, "opt": false}, ...], ...}
// T is the protobuf-ts ScalarType number for scalars, the type name for messages and enums; maps add K (the key's
// ScalarType) and V ({kind, T}); enum fields add values ({PROTO_NAME: number}). repeat is protobuf-ts' RepeatType
// (0 no, 1 packed, 2 unpacked); opt is true only where the bundle declares the field proto3 `optional`.
//
// Usage: node extract-schema.mjs [package directory, default node_modules/@cloudflare/realtimekit]
//
// The bundle defines its messages as subclasses of @protobuf-ts/runtime's MessageType, constructed when the module
// loads. A module resolution hook hands the bundle a MessageType that records each (name, fields) it is built with;
// the bundle itself is loaded unchanged.
import { createRequire, register } from "node:module";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";

const here = new URL(".", import.meta.url);
const packageDir = resolvePath(process.argv[2] ?? new URL("node_modules/@cloudflare/realtimekit", here).pathname);
const bundle = pathToFileURL(resolvePath(packageDir, "dist/index.es.js")).href;
const runtime = pathToFileURL(
  createRequire(resolvePath(packageDir, "package.json")).resolve("@protobuf-ts/runtime"),
).href;

const recorder = `
import * as runtime from ${JSON.stringify(runtime)};
export * from ${JSON.stringify(runtime)};
export class MessageType extends runtime.MessageType {
  constructor(name, fields, options) {
    // Copied first: the runtime fills in defaults (opt on every message field) in place.
    const declared = fields.map((field) => ({ ...field }));
    super(name, fields, options);
    (globalThis.__rtkMessageTypes ??= []).push({ name, fields: declared });
  }
}`;
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === "@protobuf-ts/runtime" && context.parentURL === ${JSON.stringify(bundle)})
    return { url: "data:text/javascript," + encodeURIComponent(${JSON.stringify(recorder)}), shortCircuit: true };
  return next(specifier, context);
}`;
register("data:text/javascript," + encodeURIComponent(hooks));

// Loading the bundle touches no browser global; creating a client would.
await import(bundle);

const typeOf = (field) => {
  if (field.kind === "scalar") return field.T;
  if (field.kind === "enum") return field.T()[0];
  if (field.kind === "message") return field.T().typeName;
  return undefined;
};
// protobuf-ts strips the enum's common prefix from value names and keeps it as the third element of T().
const enumValues = ([, values, prefix]) =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([, n]) => typeof n === "number")
      .map(([name, n]) => [(prefix ?? "") + name, n]),
  );

const schema = {};
for (const { name, fields } of globalThis.__rtkMessageTypes ?? []) {
  schema[name] = fields.map((f) => ({
    no: f.no,
    name: f.name,
    kind: f.kind,
    T: typeOf(f),
    ...(f.kind === "map" ? { K: f.K, V: { kind: f.V.kind, T: typeOf(f.V) } } : {}),
    ...(f.kind === "enum" ? { values: enumValues(f.T()) } : {}),
    repeat: f.repeat ?? 0,
    opt: f.opt === true,
    ...(f.oneof ? { oneof: f.oneof } : {}),
  }));
}
if (Object.keys(schema).length === 0) {
  console.error(`no protobuf-ts MessageType was constructed while loading ${bundle}`);
  process.exit(1);
}
// Exit once the JSON is flushed: a pipe is written asynchronously, and the bundle leaves timers behind.
process.stdout.write(JSON.stringify(schema) + "\n", () => process.exit(0));
