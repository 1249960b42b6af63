export * from './object.js';
export * from './errors.js';
export * from './resource.js';
export * from './registry.js';
