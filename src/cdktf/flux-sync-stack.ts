import { TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import { readFileSync } from 'node:fs';
import { optionsToArgs } from '../bootstrap/option-args.js';
import type { ResolvedBootstrapOptions } from '../bootstrap/resolve-options.js';
import { planSync, type SyncPlan } from '../bootstrap/sync-plan.js';
import { fluxOciCommand } from './flux-oci-command.js';
import { addProviders, kubeconfigPath } from './kubernetes-connection.js';
import { registrySecret } from './registry-secret.js';
import { declareSensitiveVariable } from './sensitive-variable.js';

const CLUSTER_ARTIFACT_KEYS = [
  'url',
  'username',
  'clusterUrl',
  'clusterUsername',
  'clusterPath',
  'caFile',
  'allowInsecureHttp',
  'timeout',
] as const;
const WAIT_KEYS = [
  'url',
  'namespace',
  'clusterUrl',
  'clusterPath',
  'pinByDigest',
  'timeout',
  'context',
] as const;

/**
 * Phase 2: the OCIRepository and Kustomization objects through which Flux follows the
 * registry (`flux-components`, and `flux-system` for the cluster artifact), their Secrets,
 * the empty cluster artifact when its tag is missing, and a wait until Flux reports them
 * Ready at the pushed revision. This stack depends on the install stack, so `cdktf deploy`
 * plans it only once Flux's CRDs exist. On destroy the Kustomizations go first; their
 * `deletionPolicy: Orphan` leaves what Flux applied running, then the install stack
 * uninstalls Flux.
 */
export class FluxSyncStack extends TerraformStack {
  readonly plan: SyncPlan;

  constructor(
    scope: Construct,
    id: string,
    options: ResolvedBootstrapOptions,
    componentsDigest: string,
  ) {
    super(scope, id);
    addProviders(this, options);
    const plan = (this.plan = planSync(options, componentsDigest));
    const kubeconfig = kubeconfigPath(options);
    const before: ITerraformDependable[] = [];

    if (plan.caSecret && options.caFile) {
      before.push(
        new SecretV1(this, 'registry-ca-secret', {
          metadata: { name: plan.caSecret, namespace: options.namespace },
          data: { 'ca.crt': readFileSync(options.caFile, 'utf8') },
        }),
      );
    }
    if (
      plan.clusterSecret &&
      options.clusterUrl &&
      options.clusterUsername &&
      options.clusterPassword
    ) {
      before.push(
        registrySecret(this, 'cluster-registry-secret', {
          name: plan.clusterSecret,
          namespace: options.namespace,
          host: plan.cluster!.registry,
          username: options.clusterUsername,
          password: declareSensitiveVariable(this, 'clusterPassword', options.clusterPassword),
        }),
      );
    }
    if (options.clusterUrl) {
      // The cluster registry's credentials, or the components' when they are shared.
      const environment: Record<string, string> = {};
      if (options.clusterPassword !== undefined) {
        environment.OCI_CLUSTER_PASSWORD = declareSensitiveVariable(
          this,
          'clusterPassword',
          options.clusterPassword,
        );
      }
      if (options.clusterUsername === undefined && plan.sameRegistry && options.password) {
        environment.OCI_PASSWORD = declareSensitiveVariable(this, 'password', options.password);
      }
      before.push(
        new NullResource(this, 'cluster-artifact', {
          triggers: { url: options.clusterUrl, path: options.clusterPath ?? '' },
          provisioners: [
            {
              type: 'local-exec',
              command: fluxOciCommand([
                'bootstrap',
                'oci',
                '--phase=cluster-artifact',
                ...optionsToArgs(options, CLUSTER_ARTIFACT_KEYS),
              ]),
              environment: Object.keys(environment).length > 0 ? environment : undefined,
            },
          ],
        }),
      );
    }

    const manifests = plan.objects.map(
      (object) =>
        new Manifest(this, `${object.kind.toLowerCase()}-${object.metadata.name}`, {
          manifest: object,
          dependsOn: before.length > 0 ? before : undefined,
        }),
    );

    new NullResource(this, 'wait-ready', {
      triggers: { digest: componentsDigest, cluster_url: options.clusterUrl ?? '' },
      dependsOn: manifests,
      provisioners: [
        {
          type: 'local-exec',
          command: fluxOciCommand([
            'bootstrap',
            'oci',
            '--phase=wait',
            `--components-digest=${componentsDigest}`,
            `--kubeconfig=${kubeconfig}`,
            ...optionsToArgs(options, WAIT_KEYS),
          ]),
        },
      ],
    });
  }
}
