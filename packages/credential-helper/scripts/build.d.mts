export interface BuildOptions {
  /** Default: dist/claude-bedrock.cjs. */
  outfile?: string;
  /** Stage settings JSON to embed (default: env CCB_EMBED_SETTINGS). */
  embedSettingsFile?: string;
  minify?: boolean;
}
export function build(options?: BuildOptions): Promise<string>;
