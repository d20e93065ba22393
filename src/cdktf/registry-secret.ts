import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import type { ITerraformDependable } from 'cdktf';

export interface RegistrySecretProps {
  readonly name: string;
  readonly namespace: string;
  /** Registry host as written in the OCI URL, e.g. `ghcr.io` or `127.0.0.1:5000`. */
  readonly host: string;
  readonly username: string;
  /** A sensitive variable's value: it is written only to the write-only `data_wo`. */
  readonly password: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A `kubernetes.io/dockerconfigjson` Secret whose content never enters Terraform state:
 * it is written through `data_wo`, and `data_wo_revision` (32 bits of the content's hash,
 * too few to confirm a guessed password) tells Terraform when to write it again, as when
 * the password rotates.
 */
export function registrySecret(scope: Construct, id: string, props: RegistrySecretProps): SecretV1 {
  const auth = Fn.base64encode(Fn.join('', [props.username, ':', props.password]));
  const dockerConfig = Fn.jsonencode({
    auths: { [props.host]: { username: props.username, password: props.password, auth } },
  });
  return new SecretV1(scope, id, {
    metadata: { name: props.name, namespace: props.namespace },
    type: 'kubernetes.io/dockerconfigjson',
    dataWo: { '.dockerconfigjson': dockerConfig },
    dataWoRevision: Token.asNumber(Fn.parseint(Fn.substr(Fn.sha256(dockerConfig), 0, 8), 16)),
    dependsOn: props.dependsOn,
  });
}
