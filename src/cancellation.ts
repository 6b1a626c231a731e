/**
 * The runner cancels a job with SIGINT, then SIGTERM 7.5 s later. Both become one AbortSignal so
 * the step can stop waiting or hand its seat back before the process tree is killed.
 */
export function cancellationSignal(onCancel?: (signal: string) => void): AbortSignal {
  const controller = new AbortController();
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (!controller.signal.aborted) onCancel?.(name);
      controller.abort(name);
    });
  }
  return controller.signal;
}
