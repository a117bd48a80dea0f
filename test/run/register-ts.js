// Lets `node -r ./test/run/register-ts.js some.ts` run TypeScript straight from the source tree, the
// way ts-jest does: each file transpiled on load (no type check), so the tests of the run scripts
// need no `make build` and never touch dist/.
const ts = require('typescript');
const { readFileSync } = require('node:fs');

const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true };
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
