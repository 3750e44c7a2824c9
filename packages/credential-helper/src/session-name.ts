/** The role session name is part of the contract with the quota service's deny policy (@ccb/contracts). */
export { roleSessionName, SESSION_NAME_PATTERN } from "@ccb/contracts";
