// The client module's hand-written types (stagecast.d.ts) against what stagecast.js has: the same exported values,
// and for each of the module's classes the d.ts declares, the same public members (methods, properties, getters).
// A member added to the module without its type, or a declared one the module lacks, fails here. Exit code 1 on a
// difference, with the list.
import ts from 'typescript';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/Stagecast.Server/Web/sdk');
const options = { allowJs: true, checkJs: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] };

function load(file) {
  const program = ts.createProgram([file], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  return { checker, source, module: checker.getSymbolAtLocation(source) };
}

// Members of a class or interface that an app may use: not _underscored, #private or the emitter's own.
const emitter = new Set(['on', 'off', 'once', 'emit', 'constructor', 'prototype']);
function members(checker, type) {
  return new Set(checker.getPropertiesOfType(type).map(p => p.getName()).filter(n => !n.startsWith('_') && !n.startsWith('#') && !emitter.has(n)));
}

const js = load(path.join(sdk, 'stagecast.js'));
const dts = load(path.join(sdk, 'stagecast.d.ts'));
const problems = [];

const jsExports = new Set(js.checker.getExportsOfModule(js.module).map(s => s.getName()));
const resolved = s => (s.flags & ts.SymbolFlags.Alias ? dts.checker.getAliasedSymbol(s) : s);
const dtsValues = new Set(dts.checker.getExportsOfModule(dts.module).filter(s => resolved(s).flags & ts.SymbolFlags.Value).map(s => s.getName()));
for (const name of jsExports) if (!dtsValues.has(name)) problems.push(`stagecast.js exports ${name}, stagecast.d.ts does not`);
for (const name of dtsValues) if (!jsExports.has(name)) problems.push(`stagecast.d.ts exports ${name}, stagecast.js does not`);

const declared = new Map(dts.checker.getExportsOfModule(dts.module).map(s => [s.getName(), s]));
let compared = 0;
for (const statement of js.source.statements) {
  if (!ts.isClassDeclaration(statement) || !statement.name) continue;
  const name = statement.name.text;
  const declaration = declared.get(name);
  if (!declaration) continue;
  compared++;
  const have = members(js.checker, js.checker.getTypeAtLocation(statement));
  const want = members(dts.checker, dts.checker.getDeclaredTypeOfSymbol(declaration));
  for (const member of have) if (!want.has(member)) problems.push(`${name}.${member} is in stagecast.js, not in stagecast.d.ts`);
  for (const member of want) if (!have.has(member)) problems.push(`${name}.${member} is in stagecast.d.ts, not in stagecast.js`);
}

if (compared < 5) problems.push(`only ${compared} classes were compared: the module's classes and the declarations' names no longer meet`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

console.log(`stagecast.d.ts matches stagecast.js: ${jsExports.size} exports, ${compared} classes`);
