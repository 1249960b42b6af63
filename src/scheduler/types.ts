// The object types the scheduler reads are the client's, shared with the controllers and hollow nodes.
export type * from '../client/index.js';
