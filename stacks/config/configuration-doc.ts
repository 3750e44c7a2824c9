import { schemaPaths, STAGE_SCHEMA, type SchemaNode } from "./schema";

/**
 * `docs/configuration.md`, rendered from the schema so that the reference cannot drift from what the
 * stage config accepts (a test compares the committed file with this). Regenerate with
 * `npx tsx stacks/write-configuration-doc.ts`.
 */
export function renderConfigurationDoc(): string {
  const cell = (s: string | undefined) => (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out: string[] = [
    "# Stage configuration reference",
    "",
    "<!-- Generated from stacks/config/schema.ts by `npx tsx stacks/write-configuration-doc.ts`; do not edit by hand. -->",
    "",
    "Every key of `claude-code-bedrock:stage` in `Pulumi.<stage>.yaml`. Any other key is refused with the",
    "nearest known one, and every value is checked before anything is created (`scripts/plan.sh <stage>`",
    "exits 2 and names the key and the fix). `Pulumi.pilot.yaml` and `Pulumi.prod.yaml` are commented",
    "examples of both stages. `[]` in a key stands for each entry of a list, `*` for any key of a free-form map.",
  ];
  const header = ["| key | type | default | pilot / prod | why |", "|---|---|---|---|---|"];
  const rows = (node: SchemaNode, path: string) =>
    schemaPaths(node, path).flatMap(({ path: p, node: n }) => {
      const row = rowOf(n);
      return row ? [`| \`${p}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.pilotProd)} | ${cell(row.why)} |`] : [];
    });
  const sections = Object.entries(STAGE_SCHEMA.keys);
  out.push("", "## General", "", ...header);
  for (const [key, node] of sections) if (node.kind !== "map") out.push(...rows(node, `stage.${key}`));
  for (const [section, node] of sections) {
    if (node.kind !== "map") continue;
    out.push("", `## \`${section}\``, "", `${capitalise(node.description)}.`, "", ...header, ...rows(node, `stage.${section}`));
  }
  return `${out.join("\n")}\n`;
}

function rowOf(n: SchemaNode): { type: string; default?: string; pilotProd?: string; why: string } | undefined {
  switch (n.kind) {
    case "value":
      return n.removed
        ? { type: n.type, why: `removed: ${n.removed}` }
        : {
            type: n.type,
            ...(n.default ? { default: `\`${n.default}\`` } : {}),
            ...(n.pilotProd ? { pilotProd: n.pilotProd } : {}),
            why: n.description,
          };
    case "record":
      return n.value.kind === "value"
        ? { type: `map of ${n.value.type}`, default: "`{}`", why: n.description }
        : { type: "map", why: n.description };
    case "list":
      return { type: "list of maps", default: "`[]`", why: n.description };
    case "map":
      return undefined;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
