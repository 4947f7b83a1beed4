// Preloaded with `node --require`: at exit, writes the built-in modules this process loaded
// (process.moduleLoadList: `NativeModule net`, …) to $T0KEN_BUILTIN_LOG, one a line.
const { writeFileSync } = require('node:fs');

const log = process.env.T0KEN_BUILTIN_LOG;
if (log) process.on('exit', () => writeFileSync(log, `${process.moduleLoadList.join('\n')}\n`));
