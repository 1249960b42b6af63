// The build folder's API: the Dockerfile parser (typed instructions, variable expansion,
// .dockerignore matching) and the builder.
export { parse as parseDockerfile, parseTrigger, expandInstruction, INSTRUCTIONS } from './dockerfile/instructions.js';
export type { Dockerfile, Stage, Instruction, KeyValue, CommandLine, HealthcheckConfig } from './dockerfile/instructions.js';
export { DockerfileParseError } from './dockerfile/parser.js';
export { expandWord, expandWords, ExpansionError } from './dockerfile/shell-lex.js';
export { PatternMatcher, readDockerignore } from './dockerfile/dockerignore.js';
