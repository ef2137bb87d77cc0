// Compiles HurenAnchor.sol with the pinned solc (solc-js, standard JSON) and writes the ABI and the creation bytecode
// that Huren.Anchoring embeds. `node compile.js` rewrites the committed files; `node compile.js --out DIR` writes into
// DIR (the test compares those bytes with the committed ones); `node compile.js --check` exits 1 when they differ.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const here = __dirname;
const source = 'HurenAnchor.sol';
const contract = 'HurenAnchor';

const input = {
  language: 'Solidity',
  sources: { [source]: { content: fs.readFileSync(path.join(here, source), 'utf8') } },
  settings: {
    // paris: no PUSH0, so the bytecode also runs on consortium chains (Besu, Geth forks) not yet on Shanghai.
    evmVersion: 'paris',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { [source]: { [contract]: ['abi', 'evm.bytecode.object'] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) process.stderr.write(e.formattedMessage + '\n');
if (errors.length > 0) process.exit(2);

const compiled = output.contracts[source][contract];
const files = {
  [`${contract}.abi.json`]: JSON.stringify(compiled.abi, null, 2) + '\n',
  [`${contract}.bin`]: compiled.evm.bytecode.object + '\n',
  [`${contract}.solc-version`]: solc.version() + '\n',
};

const args = process.argv.slice(2);
if (args[0] === '--check') {
  let stale = false;
  for (const [name, text] of Object.entries(files)) {
    const committed = fs.existsSync(path.join(here, name)) ? fs.readFileSync(path.join(here, name), 'utf8') : null;
    if (committed !== text) {
      process.stderr.write(`${name} differs from what solc ${solc.version()} produces; run: node compile.js\n`);
      stale = true;
    }
  }
  process.exit(stale ? 1 : 0);
}
const out = args[0] === '--out' ? args[1] : here;
if (!out) {
  process.stderr.write('usage: node compile.js [--out DIR | --check]\n');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
process.stdout.write(`compiled ${contract} with solc ${solc.version()} into ${out}\n`);
