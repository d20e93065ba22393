/**
 * The environment variables passwords are read from, as the RFC names the first. A file of
 * their own: command help names them without loading the bootstrap engine.
 */
export const PASSWORD_ENV = 'OCI_PASSWORD';
export const CLUSTER_PASSWORD_ENV = 'OCI_CLUSTER_PASSWORD';
