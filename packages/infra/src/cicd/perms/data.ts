/** Deploy actions of the data group: analytics pipeline, billed-cost export, package registry. */
import { svc } from "./common";

export const ANALYTICS_DEPLOY_ACTIONS = [
  ...svc("firehose", [
    "CreateDeliveryStream",
    "DeleteDeliveryStream",
    "DescribeDeliveryStream",
    "ListTagsForDeliveryStream",
    "StartDeliveryStreamEncryption",
    "TagDeliveryStream",
    "UntagDeliveryStream",
    "UpdateDestination",
  ]),
  ...svc("glue", [
    "CreateDatabase",
    "CreateTable",
    "DeleteDatabase",
    "DeleteTable",
    "GetDatabase",
    "GetTable",
    "GetTags",
    "TagResource",
    "UntagResource",
    "UpdateDatabase",
    "UpdateTable",
  ]),
  ...svc("athena", [
    "CreateNamedQuery",
    "CreateWorkGroup",
    "DeleteNamedQuery",
    "DeleteWorkGroup",
    "GetNamedQuery",
    "GetWorkGroup",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateWorkGroup",
  ]),
];

/** The billed-cost export (AWS Data Exports) and the cost allocation tags it groups by (Cost Explorer). */
export const BILLING_DEPLOY_ACTIONS = [
  ...svc("bcm-data-exports", [
    "CreateExport",
    "DeleteExport",
    "GetExport",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateExport",
  ]),
  ...svc("ce", ["ListCostAllocationTags", "UpdateCostAllocationTagsStatus"]),
];

export const CODEARTIFACT_DEPLOY_ACTIONS = svc("codeartifact", [
  "AssociateExternalConnection",
  "CreateDomain",
  "CreateRepository",
  "DeleteDomain",
  "DeleteDomainPermissionsPolicy",
  "DeleteRepository",
  "DeleteRepositoryPermissionsPolicy",
  "DescribeDomain",
  "DescribeRepository",
  "DisassociateExternalConnection",
  "GetDomainPermissionsPolicy",
  "GetRepositoryPermissionsPolicy",
  "ListTagsForResource",
  "PutDomainPermissionsPolicy",
  "PutRepositoryPermissionsPolicy",
  "TagResource",
  "UntagResource",
  "UpdateRepository",
]);
