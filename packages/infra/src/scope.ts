import type * as pulumi from "@pulumi/pulumi";

export interface BuilderScope {
  readonly name: string;
  readonly parent: pulumi.Resource;
  readonly tags: Readonly<Record<string, string>>;
}

export const childOpts = (scope: BuilderScope, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({
  parent: scope.parent,
  ...extra,
});
