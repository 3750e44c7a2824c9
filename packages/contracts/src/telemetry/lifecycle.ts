/** The model lifecycle check (ModelLifecycleCheck component ↔ telemetry-functions lifecycle): its environment. */
import { requireVar, type Env } from "../env";

export const MODEL_LIFECYCLE_ENV = { modelIds: "MODEL_IDS", topicArn: "TOPIC_ARN", stage: "STAGE", warnDays: "WARN_DAYS" } as const;

export interface ModelLifecycleEnv {
  readonly modelIds: readonly string[];
  readonly topicArn: string;
  readonly stage: string;
  readonly warnDays: number;
}

/** Reads the check's environment; throws naming the missing variable. */
export function parseModelLifecycleEnv(env: Env): ModelLifecycleEnv {
  const E = MODEL_LIFECYCLE_ENV;
  const need = (k: string) => requireVar(env, k, "ModelLifecycleCheck");
  return {
    modelIds: need(E.modelIds).split(",").filter(Boolean),
    topicArn: need(E.topicArn),
    stage: need(E.stage),
    warnDays: Number(env[E.warnDays] ?? "90"),
  };
}
