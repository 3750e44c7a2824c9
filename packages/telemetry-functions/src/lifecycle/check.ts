import { parseModelLifecycleEnv } from "@ccb/contracts";
import { GetFoundationModelCommand, type BedrockClient } from "@aws-sdk/client-bedrock";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

/**
 * Daily model lifecycle check: for each model the stage allows, read Bedrock's lifecycle
 * (GetFoundationModel → modelDetails.modelLifecycle) and tell the alarm topic when a model is LEGACY
 * or has an end-of-life date, before developers' Claude Code starts failing on it.
 *
 * Stateless and not noisy: a finding is published on the day it first appears (legacy date reached
 * today, or end of life first inside the warning window), on the 30/14/7/3/1-day marks before end of
 * life, and otherwise once a week (Mondays) while it lasts.
 */

export interface LifecycleFinding {
  readonly modelId: string;
  readonly status: string;
  readonly legacySince?: string;
  readonly endOfLife?: string;
  readonly extendedAccessFrom?: string;
  readonly daysToEndOfLife?: number;
  readonly reason: "legacy" | "end-of-life-scheduled" | "not-found";
}

export interface LifecycleConfig {
  readonly modelIds: readonly string[];
  readonly topicArn: string;
  readonly stage: string;
  readonly warnDays: number;
}

/** Reads the configuration the infrastructure sets (the contract's parser; throws naming the missing variable). */
export function configFromEnv(env: NodeJS.ProcessEnv): LifecycleConfig {
  return parseModelLifecycleEnv(env);
}

const DAY = 86_400_000;
const MARKS = [30, 14, 7, 3, 1, 0];
const iso = (d?: Date) => (d ? d.toISOString().slice(0, 10) : undefined);

export async function findings(bedrock: BedrockClient, cfg: LifecycleConfig, now: Date): Promise<LifecycleFinding[]> {
  const out: LifecycleFinding[] = [];
  for (const modelId of cfg.modelIds) {
    let lifecycle;
    try {
      lifecycle = (await bedrock.send(new GetFoundationModelCommand({ modelIdentifier: modelId }))).modelDetails?.modelLifecycle;
    } catch (e) {
      if ((e as { name?: string }).name === "ResourceNotFoundException" || (e as { name?: string }).name === "ValidationException") {
        out.push({ modelId, status: "NOT_FOUND", reason: "not-found" });
        continue;
      }
      throw e;
    }
    if (!lifecycle) continue;
    const eol = lifecycle.endOfLifeTime;
    const days = eol ? Math.ceil((eol.getTime() - now.getTime()) / DAY) : undefined;
    const base = {
      modelId,
      status: String(lifecycle.status),
      ...(lifecycle.legacyTime ? { legacySince: iso(lifecycle.legacyTime)! } : {}),
      ...(eol ? { endOfLife: iso(eol)!, daysToEndOfLife: days! } : {}),
      ...(lifecycle.publicExtendedAccessTime ? { extendedAccessFrom: iso(lifecycle.publicExtendedAccessTime)! } : {}),
    };
    if (lifecycle.status === "LEGACY") out.push({ ...base, reason: "legacy" });
    else if (days !== undefined && days <= cfg.warnDays) out.push({ ...base, reason: "end-of-life-scheduled" });
  }
  return out;
}

/** Whether today is a day to publish this finding (see the module comment). */
export function dueToday(f: LifecycleFinding, now: Date, warnDays: number): boolean {
  if (f.reason === "not-found") return true;
  if (f.daysToEndOfLife !== undefined && (MARKS.includes(f.daysToEndOfLife) || f.daysToEndOfLife === warnDays)) return true;
  if (f.legacySince && iso(now) === f.legacySince) return true;
  return now.getUTCDay() === 1;
}

export function message(cfg: LifecycleConfig, due: readonly LifecycleFinding[]): { subject: string; body: string } {
  const lines = due.map((f) => {
    switch (f.reason) {
      case "not-found":
        return `- ${f.modelId}: Bedrock does not know this model in this Region any more. Claude Code calls to it fail; change stage.models.`;
      case "legacy":
        return `- ${f.modelId}: LEGACY since ${f.legacySince ?? "unknown"}${f.endOfLife ? `, end of life ${f.endOfLife} (${f.daysToEndOfLife} days)` : ""}${f.extendedAccessFrom ? `, higher extended-access pricing from ${f.extendedAccessFrom}` : ""}. Move stage.models to an active model.`;
      default:
        return `- ${f.modelId}: end of life ${f.endOfLife} (${f.daysToEndOfLife} days). Plan the move to a newer model.`;
    }
  });
  const subject = `Claude Code (${cfg.stage}): ${due.length} model${due.length === 1 ? "" : "s"} reaching end of life`.slice(0, 99);
  return {
    subject,
    body: [
      `Bedrock model lifecycle check for stage ${cfg.stage}:`,
      "",
      ...lines,
      "",
      "Developers keep working until the end-of-life date; after it, requests to the model fail.",
    ].join("\n"),
  };
}

export async function checkModels(
  deps: { bedrock: BedrockClient; sns: SNSClient; now: () => Date },
  cfg: LifecycleConfig,
): Promise<{ findings: number; published: boolean }> {
  const now = deps.now();
  const all = await findings(deps.bedrock, cfg, now);
  const due = all.filter((f) => dueToday(f, now, cfg.warnDays));
  if (due.length === 0) return { findings: all.length, published: false };
  const { subject, body } = message(cfg, due);
  await deps.sns.send(new PublishCommand({ TopicArn: cfg.topicArn, Subject: subject, Message: body }));
  return { findings: all.length, published: true };
}
