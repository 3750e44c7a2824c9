/**
 * The record users cannot forge: Bedrock model invocation logs, read from the logging bucket.
 *
 * Bedrock writes gzipped JSON-lines objects under
 * `<prefix>AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/`. Each record (schema
 * `ModelInvocationLog`) carries `timestamp`, `identity.arn` (the caller's assumed-role ARN whose session
 * name is the user's email, set by the credential helper), `modelId` and server-counted tokens:
 * `input.inputTokenCount`, `input.cacheReadInputTokenCount`, `input.cacheWriteInputTokenCount` and
 * `output.outputTokenCount` (metadata only; prompt bodies are not needed and may be disabled).
 *
 * A window is read from every hour folder that can hold its records (objects land in the folder of their
 * delivery hour, so a record from 10:59 may sit under 11/), and records are assigned to windows by their
 * own `timestamp`, never by object time. Only calls made through the federated user role count.
 *
 * The session name is chosen by whoever calls AssumeRoleWithWebIdentity, not by the IdP: records of the
 * user role whose session name is not an email cannot be attributed and are counted (`takeUnattributed`,
 * the `UnattributedInvocations` metric and its alarm) instead of being silently dropped.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { gunzipSync } from "node:zlib";
import { looksLikeEmail, normaliseEmail, parseAssumedRoleArn } from "../identity.js";
import type { Logger } from "../log.js";
import { windowEnd, windowStart } from "../periods.js";
import { addUsage, type UsageSource, type UserWindowUsage } from "./types.js";

export interface InvocationLogSourceOptions {
  readonly bucket: string;
  /** Key prefix configured on the logging configuration (may be empty). */
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
  /** Only records of this role count (the federated developer role). */
  readonly roleName: string;
  /** How long after a window's end objects may still arrive. */
  readonly settleMs: number;
}

export interface InvocationRecord {
  readonly timestamp?: string;
  readonly identity?: { readonly arn?: string };
  readonly modelId?: string;
  readonly operation?: string;
  readonly errorCode?: string;
  readonly input?: {
    readonly inputTokenCount?: number;
    readonly cacheReadInputTokenCount?: number;
    readonly cacheWriteInputTokenCount?: number;
  };
  readonly output?: { readonly outputTokenCount?: number };
}

const HOUR = 3_600_000;

/** Hour folders (`…/2026/11/26/10/`) that may hold records of `[from, to)` delivered up to `settleMs` later. */
export function hourPrefixes(
  o: Pick<InvocationLogSourceOptions, "prefix" | "accountId" | "region">,
  from: number,
  to: number,
  settleMs: number,
): string[] {
  const out: string[] = [];
  for (let h = Math.floor(from / HOUR) * HOUR; h < to + settleMs; h += HOUR) {
    const d = new Date(h).toISOString();
    out.push(
      `${o.prefix}AWSLogs/${o.accountId}/BedrockModelInvocationLogs/${o.region}/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(11, 13)}/`,
    );
  }
  return out;
}

/** Parses an object body: gzip or plain, JSON lines or one JSON object per line. Bad lines are counted, not fatal. */
export function parseRecords(body: Uint8Array): { records: InvocationRecord[]; bad: number } {
  const buf = Buffer.from(body);
  const text = (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString("utf8");
  const records: InvocationRecord[] = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    try {
      records.push(JSON.parse(t) as InvocationRecord);
    } catch {
      bad++;
    }
  }
  return { records, bad };
}

const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Whether a caller's role is the developer role. `AWSReservedSSO_<permission set>_*` names the role IAM
 * Identity Center provisions (its 16-hex suffix is IdC's); any other name must match exactly.
 */
export function roleMatches(role: string, roleName: string): boolean {
  return roleName.endsWith("*") ? role.startsWith(roleName.slice(0, -1)) : role === roleName;
}

/** Adds the records that fall in `[from, to)` and come from the user role to `into`. Returns skipped counts. */
export function collect(
  records: readonly InvocationRecord[],
  roleName: string,
  from: number,
  to: number,
  into: Map<string, UserWindowUsage>,
): { otherRole: number; noEmail: number } {
  let otherRole = 0;
  let noEmail = 0;
  for (const r of records) {
    const t = Date.parse(r.timestamp ?? "");
    if (!(t >= from && t < to)) continue;
    const who = parseAssumedRoleArn(r.identity?.arn ?? "");
    if (!who || !roleMatches(who.role, roleName)) {
      otherRole++;
      continue;
    }
    if (!looksLikeEmail(who.session)) {
      noEmail++;
      continue;
    }
    addUsage(
      into,
      normaliseEmail(who.session),
      r.modelId ?? "unknown",
      {
        input: n(r.input?.inputTokenCount),
        output: n(r.output?.outputTokenCount),
        cacheRead: n(r.input?.cacheReadInputTokenCount),
        cacheWrite: n(r.input?.cacheWriteInputTokenCount),
      },
      who.session,
    );
  }
  return { otherRole, noEmail };
}

export class InvocationLogSource implements UsageSource {
  readonly id = "srv" as const;
  private unattributed = 0;
  constructor(
    private readonly s3: S3Client,
    private readonly o: InvocationLogSourceOptions,
    private readonly log: Logger,
  ) {}

  async read(window: number): Promise<Map<string, UserWindowUsage>> {
    const from = windowStart(window);
    const to = windowEnd(window);
    const out = new Map<string, UserWindowUsage>();
    let objects = 0;
    let bad = 0;
    let skipped = { otherRole: 0, noEmail: 0 };
    for (const prefix of hourPrefixes(this.o, from, to, this.o.settleMs)) {
      let token: string | undefined;
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const obj of page.Contents ?? []) {
          // An object delivered before the window began cannot hold its records.
          if (obj.LastModified && obj.LastModified.getTime() < from) continue;
          const got = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: obj.Key! }));
          const body = await got.Body!.transformToByteArray();
          const parsed = parseRecords(body);
          objects++;
          bad += parsed.bad;
          const s = collect(parsed.records, this.o.roleName, from, to, out);
          skipped = { otherRole: skipped.otherRole + s.otherRole, noEmail: skipped.noEmail + s.noEmail };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
    this.unattributed += skipped.noEmail;
    if (skipped.noEmail > 0)
      this.log.warn("invocation logs of the user role with a session name that is not an email (renamed sessions, not metered)", {
        window,
        records: skipped.noEmail,
      });
    this.log.info("invocation logs read", { window, objects, users: out.size, badLines: bad, ...skipped });
    return out;
  }

  takeUnattributed(): number {
    const n = this.unattributed;
    this.unattributed = 0;
    return n;
  }
}
