export * from './object.js';
export * from './errors.js';
