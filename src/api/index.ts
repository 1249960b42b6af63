export * from './object.js';
export * from './errors.js';
export * from './resource.js';
export * from './registry.js';
export * from './labels.js';
export * from './names.js';
export * as field from './validation/field.js';
export * from './fields.js';
export * from './quantity.js';
