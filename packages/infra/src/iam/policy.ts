import * as pulumi from "@pulumi/pulumi";

/**
 * Typed IAM policy documents. Statements are built with `allow`/`deny`, documents with
 * `policyDocument`, and rendered exactly once with `renderPolicy` (`pulumi.jsonStringify`), so
 * ARNs may be Outputs and tests can read statements without parsing JSON.
 */

export type ConditionValue = pulumi.Input<string> | pulumi.Input<string>[];
/** `{ StringEquals: { "aws:PrincipalOrgID": "o-123" } }` */
export type Conditions = Record<string, Record<string, ConditionValue>>;
export type Principal =
  | "*"
  | {
      AWS?: pulumi.Input<string> | pulumi.Input<string>[];
      Service?: pulumi.Input<string> | pulumi.Input<string>[];
      Federated?: pulumi.Input<string>;
    };

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: pulumi.Input<string>[];
  NotResource?: pulumi.Input<string>[];
  Principal?: Principal;
  Condition?: Conditions;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

function checkActions(actions: readonly string[], where: string): string[] {
  if (actions.length === 0) throw new Error(`${where}: a statement needs at least one action`);
  for (const a of actions) {
    if (!ACTION.test(a)) throw new Error(`${where}: "${a}" is not an IAM action of the form service:Action`);
  }
  return [...new Set(actions)].sort();
}

export interface StatementOptions {
  sid?: string;
  conditions?: Conditions;
  principal?: Principal;
}

/** An Allow statement. Actions are deduplicated and sorted so diffs stay quiet. */
export function allow(actions: readonly string[], resources: readonly pulumi.Input<string>[], opts: StatementOptions = {}): Statement {
  return statement("Allow", actions, resources, opts);
}

/** A Deny statement. */
export function deny(actions: readonly string[], resources: readonly pulumi.Input<string>[], opts: StatementOptions = {}): Statement {
  return statement("Deny", actions, resources, opts);
}

function statement(
  effect: "Allow" | "Deny",
  actions: readonly string[],
  resources: readonly pulumi.Input<string>[],
  opts: StatementOptions,
): Statement {
  const s: Statement = { Effect: effect, Action: checkActions(actions, opts.sid ?? effect) };
  if (opts.sid !== undefined) {
    if (!/^[A-Za-z0-9]+$/.test(opts.sid)) throw new Error(`Sid "${opts.sid}" must be alphanumeric`);
    s.Sid = opts.sid;
  }
  if (opts.principal !== undefined) s.Principal = opts.principal;
  if (resources.length > 0) s.Resource = [...resources];
  if (opts.conditions !== undefined && Object.keys(opts.conditions).length > 0) s.Condition = opts.conditions;
  return s;
}

/** A document from statements; duplicate Sids are a programming error. */
export function policyDocument(...statements: Statement[]): PolicyDocument {
  const sids = statements.map((s) => s.Sid).filter((s): s is string => s !== undefined);
  const dup = sids.find((s, i) => sids.indexOf(s) !== i);
  if (dup) throw new Error(`policy document has the Sid "${dup}" twice`);
  return { Version: "2012-10-17", Statement: statements };
}

/** Renders a document once, resolving Output ARNs. */
export function renderPolicy(doc: PolicyDocument): pulumi.Output<string> {
  return pulumi.jsonStringify(doc);
}

/** Merges condition blocks; the same operator and key twice is an error (IAM would keep only one). */
export function mergeConditions(...blocks: (Conditions | undefined)[]): Conditions {
  const out: Conditions = {};
  for (const block of blocks) {
    if (!block) continue;
    for (const [op, kv] of Object.entries(block)) {
      out[op] ??= {};
      for (const [k, v] of Object.entries(kv)) {
        if (k in out[op]!) throw new Error(`condition ${op} on ${k} given twice`);
        out[op]![k] = v;
      }
    }
  }
  return out;
}

/** Denies any request not made over TLS; for bucket, topic and queue resource policies. */
export function denyInsecureTransport(service: "s3" | "sns" | "sqs", resources: pulumi.Input<string>[]): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: [`${service}:*`],
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
