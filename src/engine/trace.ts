// SKIFF_TRACE_START=1 prints phase marks of one CLI call to stderr, in milliseconds since the process
// started, to find where a short `skiff run` spends its time (issue 4's start-up targets).
const tracing = process.env.SKIFF_TRACE_START === '1';

export function traceMark(phase: string): void {
  if (tracing) process.stderr.write(`[start] ${performance.now().toFixed(1)} ms ${phase}\n`);
}
