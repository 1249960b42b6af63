// Errors the engine raises where callers branch on the kind (docker's CLI maps them onto exit codes and
// messages; the Docker API onto HTTP statuses).
export type EngineErrorKind = 'NotFound' | 'Conflict' | 'InvalidArgument' | 'NotRunning' | 'Runtime';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const notFound = (message: string): EngineError => new EngineError('NotFound', message);
export const conflict = (message: string): EngineError => new EngineError('Conflict', message);
export const invalid = (message: string): EngineError => new EngineError('InvalidArgument', message);
