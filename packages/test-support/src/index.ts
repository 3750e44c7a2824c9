export { assertMotoInstalled, freePort, MOTO_INSTALL_HINT, startMoto, type AthenaResult, type Moto, type MotoOptions } from "./moto.js";
