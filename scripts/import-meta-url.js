// Injected by scripts/build.mjs into the CommonJS bundles: `import.meta.url` (used by src/ to find
// package.json and templates/) becomes the URL of the bundle file itself.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
