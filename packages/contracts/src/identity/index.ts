export { roleSessionName, sessionNameCharacters, SESSION_NAME_PATTERN } from "./session-name";
