export { parseDotenv, dotenvToMap, isValidDotenvKey } from './parse.js';
export type { DotenvEntry, DotenvFile } from './parse.js';
export { formatDotenvValue, appendDotenvKeys, setDotenvValue, removeDotenvPlaceholders } from './edit.js';
export type { DotenvAddition } from './edit.js';
