/** The cicd module: deploy roles that CI assumes through GitHub's OIDC federation. */
export {};
