// Preloaded with `node --require`: at exit, or just before the process becomes another program
// (process.execve runs no exit handlers), writes the built-in modules this process loaded
// (process.moduleLoadList: `NativeModule net`, …) to $T0KEN_BUILTIN_LOG, one a line, and the line
// `process.stderr` when something built Node's stderr stream (it costs as much as a module).
const { writeFileSync } = require('node:fs');

const log = process.env.T0KEN_BUILTIN_LOG;
if (log) {
  let stderrBuilt = false;
  const stderr = Object.getOwnPropertyDescriptor(process, 'stderr');
  Object.defineProperty(process, 'stderr', { ...stderr, get() { stderrBuilt = true; return stderr.get.call(this); } });
  const write = () => writeFileSync(log, `${[...process.moduleLoadList, ...(stderrBuilt ? ['process.stderr'] : [])].join('\n')}\n`);
  process.on('exit', write);
  const execve = process.execve;
  if (typeof execve === 'function') {
    process.execve = function (...args) {
      write();
      return execve.apply(this, args);
    };
  }
}
