/** CloudWatch alarms of the topic's account publish to it. */
export const ALARM_PUBLISH_ACTIONS = ["sns:Publish"] as const;
/** The topic is encrypted with a customer key: publishing alarms use that key. */
export const KMS_ALARM_ENCRYPT_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;
