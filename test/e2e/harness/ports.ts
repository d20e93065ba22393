// Free TCP ports on 127.0.0.1 for the harness servers: the same as the unit tests'.
export { freePort, isPortTaken, onFreePorts } from '../../support/ports.js';
