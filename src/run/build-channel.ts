import diagnostics_channel from 'node:diagnostics_channel';

/** What a build publishes on {@link buildChannel}. */
export type BuildEvent =
  /** Set-up is over (tokenizer and workers loaded, output folder ready): the first input byte is read next. */
  | { phase: 'streaming' }
  /** The manifest is written: `tokens` tokens were built by this run. */
  | { phase: 'finished'; tokens: number };

/**
 * The `skein:build` diagnostics channel (`node:diagnostics_channel`): a build announces on the
 * main thread when it starts streaming and when it has finished, so that a benchmark or a
 * profiler loaded into the process (`node --import`) can measure that span alone — e.g. the main
 * thread's CPU time per token, which sets the build's ceiling whatever the number of workers.
 * Publishing costs nothing while nobody subscribes.
 */
export const buildChannel = diagnostics_channel.channel('skein:build');

/** Publishes `event` on {@link buildChannel} when someone listens. */
export function publishBuildEvent(event: BuildEvent): void {
  if (buildChannel.hasSubscribers) buildChannel.publish(event);
}
