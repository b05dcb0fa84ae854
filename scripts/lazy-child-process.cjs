// Stands in for node:child_process inside commander, which requires it when it loads (for
// git-style executable subcommands, which obs does not have): loading it costs every command
// start-up time. The real module loads on first use.
'use strict';
let real;
module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });
