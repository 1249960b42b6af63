// The build folder's API: the Dockerfile parser (typed instructions, variable expansion,
// .dockerignore matching) and the classic builder with its engine backend.
export { parse as parseDockerfile, parseTrigger, expandInstruction, INSTRUCTIONS } from './dockerfile/instructions.js';
export type { Dockerfile, Stage, Instruction, KeyValue, CommandLine, HealthcheckConfig } from './dockerfile/instructions.js';
export { DockerfileParseError } from './dockerfile/parser.js';
export { expandWord, expandWords, ExpansionError } from './dockerfile/shell-lex.js';
export { PatternMatcher, readDockerignore } from './dockerfile/dockerignore.js';
export { build, Builder, BuildError, sameConfig, type BuildOptions, type BuildResult } from './builder/builder.js';
export type { BuildBackend, BuilderImage, ImageDoc, RunConfig, RunRequest, Workspace } from './builder/backend.js';
export { EngineBuildBackend, BUILD_SOURCE } from './builder/engine-backend.js';
export { directoryContext, stdinContext, readDockerfile, contextSize, BuildContextError, type BuildContext } from './builder/context.js';
