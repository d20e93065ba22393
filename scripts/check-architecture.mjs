// The architecture rules `npm run lint` keeps (issue 12), checked over src/:
//  - layers: imports point down only. base (src/*.ts) <- oci, kube <- flux <- bootstrap <- cdktf, cli
//    <- the package entry (src/index.ts). oci and kube do not import each other, nor cdktf and cli.
//  - no import cycle, type-only and dynamic imports included;
//  - no exported name declared in two files (re-exports do not count);
//  - no folder holding more than 15 files directly.
// Prints one line per violation and exits 1 when there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

// The project root; a test passes another one.
const ROOT = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const SRC = join(ROOT, 'src');
const MAX_FILES_PER_FOLDER = 15;

/** Layer rank by the first folder under src/; a file may import its own rank or lower. */
const LAYERS = { base: 0, oci: 1, kube: 1, flux: 2, bootstrap: 3, cdktf: 4, cli: 4, entry: 5 };
/** Same-rank layers that must stay apart. */
const APART = [
  ['oci', 'kube'],
  ['cdktf', 'cli'],
];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function layerOf(file) {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return parts[0] === 'index.ts' ? 'entry' : 'base';
  return parts[0];
}

const files = walk(SRC).filter((f) => f.endsWith('.ts'));
const problems = [];
const rel = (f) => relative(ROOT, f);

for (const file of files) {
  if (!(layerOf(file) in LAYERS)) {
    problems.push(
      `${rel(file)}: src/${layerOf(file)}/ is no known layer; add it to LAYERS in ${rel(new URL(import.meta.url).pathname)}`,
    );
  }
}

// Imports (static, type-only, dynamic) between source files.
const imports = new Map();
for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
  imports.set(file, targets);
  for (const target of targets) {
    if (!files.includes(target)) continue;
    const from = layerOf(file);
    const to = layerOf(target);
    const apart = APART.some(([a, b]) => (from === a && to === b) || (from === b && to === a));
    if (LAYERS[to] > LAYERS[from] || apart) {
      problems.push(
        `${rel(file)} imports ${rel(target)}: ${from} may not import ${to} (imports point down: base <- oci, kube <- flux <- bootstrap <- cdktf, cli)`,
      );
    }
  }
}

// Cycles: a depth-first search that reports each cycle once, from its first file.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const target of imports.get(file) ?? []) {
    if (!imports.has(target)) continue;
    if (state.get(target) === 'open') {
      const cycle = stack.slice(stack.indexOf(target)).concat(target);
      problems.push(`import cycle: ${cycle.map(rel).join(' -> ')}`);
    } else if (!state.has(target)) {
      visit(target);
    }
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);

// Exported names declared in more than one file.
const DECLARATION =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const declaredIn = new Map();
for (const file of files) {
  for (const [, name] of readFileSync(file, 'utf8').matchAll(DECLARATION)) {
    declaredIn.set(name, [...(declaredIn.get(name) ?? []), rel(file)]);
  }
}
for (const [name, where] of declaredIn) {
  if (where.length > 1)
    problems.push(
      `${name} is exported by ${where.length} files: ${where.join(', ')}; give each its own name or keep one`,
    );
}

// Folders with too many files directly.
const perFolder = new Map();
for (const file of walk(SRC)) perFolder.set(dirname(file), (perFolder.get(dirname(file)) ?? 0) + 1);
for (const [folder, count] of perFolder) {
  if (count > MAX_FILES_PER_FOLDER) {
    problems.push(
      `${rel(folder)}/ holds ${count} files directly (at most ${MAX_FILES_PER_FOLDER}): split it by concept`,
    );
  }
}

for (const problem of problems) process.stderr.write(`${problem}\n`);
process.exit(problems.length > 0 ? 1 : 0);
