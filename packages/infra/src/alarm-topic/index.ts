/** A stage's encrypted alarm topic, shared by the areas that raise alarms (inference, telemetry). */
export { alarmTopicKeyStatement, buildAlarmTopic } from "./alarm-topic";
export type { AlarmTopicInputs } from "./alarm-topic";
export * as perms from "./perms";
