#!/usr/bin/env node
// A native-solc-compatible front end for solc-js (npm `solc`), for platforms where the native
// solc binary cannot be downloaded. Implements the flags Brownie, py-solc-x and Slither use:
//   --version, --standard-json, --combined-json <fields> <files...>,
//   --allow-paths, --base-path, --include-path, remappings (prefix=target) and optimizer flags.
// Output is written with process.stdout.write and the process exits naturally: calling
// process.exit() right after a large write truncates the pipe at 64 KiB.
'use strict';
const fs = require('fs');
const path = require('path');

const projectRoot = path.resolve(__dirname, '..', '..');
const solc = require(path.join(projectRoot, 'node_modules', 'solc'));

const args = process.argv.slice(2);
const remappings = [];
const searchRoots = [process.cwd(), projectRoot, path.join(projectRoot, 'node_modules')];
let mode = null;
let combinedFields = null;
let optimize = false;
let optimizeRuns = 200;
let evmVersion = null;
const files = [];

for (let k = 0; k < args.length; k++) {
  const a = args[k];
  if (a === '--version') mode = 'version';
  else if (a === '--standard-json') mode = 'standard-json';
  else if (a === '--combined-json') { mode = 'combined-json'; combinedFields = args[++k].split(','); }
  else if (a === '--optimize') optimize = true;
  else if (a === '--optimize-runs') optimizeRuns = parseInt(args[++k], 10);
  else if (a === '--evm-version') evmVersion = args[++k];
  else if (a === '--allow-paths') { args[++k].split(',').forEach((p) => p && searchRoots.push(path.resolve(p))); }
  else if (a === '--base-path' || a === '--include-path') searchRoots.unshift(path.resolve(args[++k]));
  else if (a.startsWith('--')) { /* flags without effect on solc-js output are accepted */ }
  else if (a.includes('=') && !a.startsWith('=')) remappings.push(a);
  else files.push(a);
}

function applyRemappings(importPath, extra) {
  let best = null;
  for (const r of extra.concat(remappings)) {
    const body = r.includes(':') ? r.split(':').slice(1).join(':') : r;
    const eq = body.indexOf('=');
    const prefix = body.slice(0, eq);
    const target = body.slice(eq + 1);
    if (importPath.startsWith(prefix) && (!best || prefix.length > best[0].length)) best = [prefix, target];
  }
  return best ? best[1] + importPath.slice(best[0].length) : importPath;
}

function makeImportCallback(extraRemappings) {
  return function findImports(importPath) {
    const candidates = [importPath, applyRemappings(importPath, extraRemappings)];
    for (const candidate of candidates) {
      const tries = path.isAbsolute(candidate) ? [candidate] : searchRoots.map((root) => path.join(root, candidate));
      for (const full of tries) {
        if (fs.existsSync(full) && fs.statSync(full).isFile()) return { contents: fs.readFileSync(full, 'utf8') };
      }
    }
    return { error: `File not found: ${importPath}` };
  };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

if (mode === 'version') {
  const v = solc.version(); // e.g. 0.8.30+commit.73712a01.Emscripten.clang
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
} else if (mode === 'standard-json') {
  const input = JSON.parse(readStdin());
  const extra = (input.settings && input.settings.remappings) || [];
  for (const [name, src] of Object.entries(input.sources || {})) {
    if (src.content === undefined && src.urls) {
      const found = makeImportCallback(extra)(src.urls[0]);
      if (found.contents !== undefined) input.sources[name] = { content: found.contents };
    }
  }
  process.stdout.write(solc.compile(JSON.stringify(input), { import: makeImportCallback(extra) }));
} else if (mode === 'combined-json') {
  const sources = {};
  for (const f of files) sources[f] = { content: fs.readFileSync(f, 'utf8') };
  const outputSelection = { '*': { '*': ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'metadata', 'userdoc', 'devdoc', 'storageLayout'], '': ['ast'] } };
  const settings = { optimizer: { enabled: optimize, runs: optimizeRuns }, outputSelection, remappings };
  if (evmVersion) settings.evmVersion = evmVersion;
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: makeImportCallback([]) }));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) {
    process.stderr.write(errors.map((e) => e.formattedMessage).join('\n'));
    process.exitCode = 1;
  } else {
    const contracts = {};
    for (const [file, byName] of Object.entries(out.contracts || {})) {
      for (const [name, c] of Object.entries(byName)) {
        const entry = {};
        for (const field of combinedFields) {
          if (field === 'abi') entry.abi = c.abi;
          else if (field === 'bin') entry.bin = c.evm.bytecode.object;
          else if (field === 'bin-runtime') entry['bin-runtime'] = c.evm.deployedBytecode.object;
          else if (field === 'srcmap') entry.srcmap = c.evm.bytecode.sourceMap;
          else if (field === 'srcmap-runtime') entry['srcmap-runtime'] = c.evm.deployedBytecode.sourceMap;
          else if (field === 'hashes') entry.hashes = c.evm.methodIdentifiers;
          else if (field === 'metadata') entry.metadata = c.metadata;
          else if (field === 'userdoc') entry.userdoc = c.userdoc;
          else if (field === 'devdoc') entry.devdoc = c.devdoc;
          else if (field === 'storage-layout') entry['storage-layout'] = c.storageLayout;
        }
        contracts[`${file}:${name}`] = entry;
      }
    }
    const sourceList = Object.keys(out.sources || {});
    const sourcesOut = {};
    for (const [file, s] of Object.entries(out.sources || {})) sourcesOut[file] = combinedFields.includes('ast') ? { AST: s.ast, id: s.id } : { id: s.id };
    process.stdout.write(JSON.stringify({ contracts, sourceList, sources: sourcesOut, version: solc.version() }));
  }
} else {
  process.stderr.write('usage: solc --version | --standard-json | --combined-json FIELDS FILES...\n');
  process.exitCode = 1;
}
