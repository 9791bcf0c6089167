#!/usr/bin/env node
// Type-checks mutants of one Solidity file with solc-js, loaded once: one JSON request per input
// line, {"unit": "contracts/X.sol", "content": "..."}, one JSON answer per output line,
// {"ok": bool, "errors": [...]}. Only the ABI is requested, so solc runs parsing and analysis
// (the stages where a mutant fails to compile) and skips code generation. Imports are read from the
// repository root with the project's @openzeppelin remapping (brownie-config.yaml).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const root = path.resolve(__dirname, '..', '..');
const solc = require(path.join(root, 'node_modules', 'solc'));
const remappings = ['@openzeppelin/=node_modules/@openzeppelin/'];

function findImports(unit) {
  const full = path.join(root, unit);
  if (fs.existsSync(full) && fs.statSync(full).isFile()) return { contents: fs.readFileSync(full, 'utf8') };
  return { error: `File not found: ${unit}` };
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  const input = {
    language: 'Solidity',
    sources: { [req.unit]: { content: req.content } },
    settings: { evmVersion: 'shanghai', remappings, outputSelection: { '*': { '*': ['abi'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (out.errors || []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage);
  process.stdout.write(JSON.stringify({ ok: errors.length === 0, errors }) + '\n');
});
