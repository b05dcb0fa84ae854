// Fault injection for tests, loaded into obs with `node --require` (obs itself knows nothing of it).
//
// Counts every call that changes the file system under OBS_FAULT_ROOT -- fs writes, renames, links,
// unlinks, mkdir/rmdir, chmod/chown, fsync (FileHandle methods included), opens for writing -- and
// `git rm` started by obs. At call number OBS_FAULT_AT (1-based), before the call runs, it either
// kills the process with SIGKILL (OBS_FAULT_ACTION=kill, the default) or makes that call fail
// with the errno code given as OBS_FAULT_ACTION (EPERM, ENOSPC, ...). OBS_FAULT_ONLY=rename,...
// counts only those calls. OBS_FAULT_LOG names a file that receives the list of counted calls
// at exit ("<n> <call> <path>" per line), so a test learns how many steps an apply has.
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const childProcess = require('node:child_process');
const path = require('node:path');
const { syncBuiltinESMExports } = require('node:module');

const root = process.env.OBS_FAULT_ROOT ? fs.realpathSync(process.env.OBS_FAULT_ROOT) : undefined;
const at = Number(process.env.OBS_FAULT_AT || 0);
const action = process.env.OBS_FAULT_ACTION || 'kill';
const only = process.env.OBS_FAULT_ONLY ? process.env.OBS_FAULT_ONLY.split(',') : undefined;
const logFile = process.env.OBS_FAULT_LOG;
const writeFileSync = fs.writeFileSync;
const calls = [];

function under(p) {
  if (!root || p === undefined || p === null || typeof p === 'number') return false;
  const abs = path.resolve(String(p instanceof URL ? p.pathname : p));
  return abs === root || abs.startsWith(root + path.sep);
}

/** Counts one call; at the chosen one, kills the process or returns the error to fail it with. */
function step(name, target) {
  if (only && !only.includes(name)) return undefined;
  calls.push(`${calls.length + 1} ${name} ${target}`);
  if (calls.length !== at) return undefined;
  if (action === 'kill') process.kill(process.pid, 'SIGKILL');
  const err = new Error(`${action}: injected by the test, ${name} '${target}'`);
  err.code = action;
  err.syscall = name;
  err.path = String(target);
  return err;
}

const isWriteFlag = (flags) =>
  flags === undefined ? false : typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0 : !/^r$|^rs?$/.test(String(flags));

// fs.promises: the first argument is the path each call changes.
const PROMISE_CALLS = ['writeFile', 'appendFile', 'rename', 'link', 'symlink', 'unlink', 'rm', 'rmdir', 'mkdir', 'copyFile', 'chmod', 'chown', 'truncate'];
for (const name of PROMISE_CALLS) {
  const original = fsp[name];
  fsp[name] = function (target, ...rest) {
    if (under(target)) {
      const err = step(name, target);
      if (err) return Promise.reject(err);
    }
    return original.call(this, target, ...rest);
  };
}

const handlePaths = new WeakMap();
let handleProtoPatched = false;
function patchHandleProto(handle) {
  if (handleProtoPatched) return;
  handleProtoPatched = true;
  const proto = Object.getPrototypeOf(handle);
  for (const name of ['writeFile', 'write', 'appendFile', 'sync', 'datasync', 'chmod', 'chown', 'truncate']) {
    const original = proto[name];
    proto[name] = function (...args) {
      const target = handlePaths.get(this);
      if (target !== undefined) {
        const err = step(`handle.${name}`, target);
        if (err) return Promise.reject(err);
      }
      return original.apply(this, args);
    };
  }
}
const originalOpen = fsp.open;
fsp.open = async function (target, flags, mode) {
  const counted = under(target) && isWriteFlag(flags);
  if (counted) {
    const err = step('open', target);
    if (err) throw err;
  }
  const handle = await originalOpen.call(this, target, flags, mode);
  patchHandleProto(handle);
  if (under(target)) handlePaths.set(handle, String(target));
  return handle;
};

// Synchronous forms, for completeness.
for (const name of ['writeFileSync', 'appendFileSync', 'renameSync', 'linkSync', 'unlinkSync', 'rmSync', 'rmdirSync', 'mkdirSync', 'copyFileSync', 'chmodSync', 'chownSync']) {
  const original = fs[name];
  fs[name] = function (target, ...rest) {
    if (under(target)) {
      const err = step(name, target);
      if (err) throw err;
    }
    return original.call(this, target, ...rest);
  };
}

// `git rm --cached`: the one git call that changes anything.
const originalExecFile = childProcess.execFile;
childProcess.execFile = function (file, args, ...rest) {
  if (file === 'git' && Array.isArray(args) && args[0] === 'rm') {
    const cwd = rest.find((r) => r && typeof r === 'object')?.cwd;
    const err = step('git-rm', cwd ?? '.');
    if (err) {
      const callback = rest.find((r) => typeof r === 'function');
      process.nextTick(() => callback?.(Object.assign(err, { code: 128 }), '', `fatal: ${err.message}`));
      return undefined;
    }
  }
  return originalExecFile.call(this, file, args, ...rest);
};

syncBuiltinESMExports();

process.on('exit', () => {
  if (logFile) writeFileSync(logFile, calls.length > 0 ? `${calls.join('\n')}\n` : '');
});
