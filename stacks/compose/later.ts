import * as pulumi from "@pulumi/pulumi";

/**
 * A value an area composed earlier needs from one composed later (the telemetry dashboard lists the
 * quota alarms, but quotas read the telemetry area's log group). `deployStage` resolves it in the same
 * synchronous pass right after composing the later area, so nothing waits on it beyond that.
 */
export interface Later<T> {
  readonly output: pulumi.Output<T>;
  resolve(value: pulumi.Input<T>): void;
}

export function later<T>(): Later<T> {
  let resolve!: (value: pulumi.Input<T>) => void;
  const promise = new Promise<pulumi.Input<T>>((r) => (resolve = r));
  // Unwraps the Output the promise resolves to: the result keeps its dependencies and secrecy.
  const output = pulumi.output(promise).apply((v) => pulumi.output(v as pulumi.Input<T>)) as pulumi.Output<T>;
  return { output, resolve };
}
