import { DataKubernetesNamespaceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-namespace-v1/index.js';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import {
  Fn,
  TerraformStack,
  Token,
  type IResolvable,
  type IResolveContext,
  type ITerraformDependable,
  type TerraformResource,
} from 'cdktf';
import { Construct } from 'constructs';
import { UserError } from '../errors.js';
import type { OciReference } from '../oci/reference.js';
import { clusterConnectionFor, type ClusterConnection } from './cluster-connection.js';
import { portableFluxOciCommand, withKubeconfigFile } from './flux-oci-command.js';
import { FluxOciStep } from './flux-oci-step.js';
import { fluxNullProvider, fluxKubernetesProvider } from './flux-providers.js';
import {
  CONNECTION_KEYS,
  SYNC_KEYS,
  copyCaFile,
  passwordEnvArgs,
  revisionArgs,
  stepArgs,
  type RenderingInput,
} from './rendering-input.js';
import type { SensitiveInput } from './sensitive-variable.js';
import { destroyStepArgs, stepConnection } from './step-connection.js';
import { ResolveTimeUserError } from './synth-errors.js';

export interface ProvidersRenderingProps {
  /** The sync stack's name. */
  readonly syncStackName: string;
  readonly connection?: ClusterConnection;
}

/** What the providers rendering made, for the construct to expose. */
export interface ProvidersRendering {
  readonly syncStack: TerraformStack;
  /** The sync objects and their wait, for `dependsOn` in the sync stack only. */
  readonly syncedResources: ITerraformDependable[];
}

/**
 * The product's rendering: real resources on hashicorp/null and hashicorp/kubernetes.
 *
 * - In the user's stack: the pre-apply `null_resource` (phase 1 and the empty cluster
 *   artifact), re-run when the digest, the URL or the cluster (the UID of `kube-system`)
 *   changes; the registry Secrets with write-only data; the uninstall on destroy.
 * - In the sync stack, which depends on it: the OCIRepositories and Kustomizations as
 *   `kubernetes_manifest`, waited for until Ready. A separate stack because
 *   kubernetes_manifest reads the CRDs while planning
 *   (hashicorp/terraform-provider-kubernetes#1367): cdktf plans it after the pre-apply
 *   stack has installed them.
 */
export function renderProviders(
  scope: Construct,
  input: RenderingInput,
  props: ProvidersRenderingProps,
): ProvidersRendering {
  const {
    stack,
    options,
    layout,
    plan,
    artifact,
    password,
    clusterPassword,
    registryCreds,
    ca,
    signing,
  } = input;
  const app = stack.node.scope;
  if (!app) throw new UserError('FluxBootstrapOci: its stack must belong to an App');
  if (app.node.tryFindChild(props.syncStackName)) {
    throw new UserError(
      `syncStackName '${props.syncStackName}' is taken by another construct of the app: give each FluxBootstrapOci its own syncStackName`,
    );
  }

  const connection = clusterConnectionFor(options, props.connection);
  const kubernetes = fluxKubernetesProvider(stack, connection);
  const nul = fluxNullProvider(stack);

  const reach = stepConnection(connection);
  const preApplyArgs = stepArgs(input, [
    ...CONNECTION_KEYS.filter((key) => key !== 'kubeconfig' && key !== 'context'),
    'allowDowngrade',
    'force',
    'clusterUrl',
    'clusterUsername',
    'clusterPath',
  ]);
  const environment = { ...reach.environment, ...preApplyArgs.environment };

  const kubeSystem = new DataKubernetesNamespaceV1(scope, 'kube-system', {
    provider: kubernetes,
    metadata: { name: 'kube-system' },
  });

  // Runs again for a new artifact, another registry or a recreated cluster: a tag moved by
  // CI since (RFC story 4) is moved only by a deliberate change of the components.
  const preApply = new NullResource(scope, 'pre-apply', {
    provider: nul,
    triggers: {
      digest: layout.digest,
      url: options.url,
      namespace: options.namespace,
      cluster_uid: kubeSystem.metadata.uid,
      ...signing.triggers,
    },
    provisioners: [
      {
        type: 'local-exec',
        command: withKubeconfigFileIf(
          reach.kubeconfigFromEnvironment,
          portableFluxOciCommand(stack, [
            'bootstrap',
            'oci',
            '--phase=pre-apply',
            `--artifact=${artifact.path}`,
            ...reach.args,
            ...preApplyArgs.args,
            ...passwordEnvArgs(password, clusterPassword),
            ...signing.signArgs,
            ...signing.verifyArgs,
          ]),
        ),
        ...(Object.keys(environment).length > 0 ? { environment } : {}),
      },
    ],
  });

  // Write-only data: Terraform sends the password to the cluster and keeps nothing of it
  // in state or plan; a raised revision rewrites the Secret (RFC story 5).
  const secrets: SecretV1[] = [];
  const registrySecret = (
    id: string,
    name: string,
    registry: OciReference,
    username: string,
    secret: SensitiveInput,
    revision: number,
  ): void => {
    secrets.push(
      new SecretV1(scope, id, {
        provider: kubernetes,
        metadata: { name, namespace: options.namespace },
        type: 'kubernetes.io/dockerconfigjson',
        dataWo: { '.dockerconfigjson': dockerConfigJson(registry.registry, username, secret) },
        dataWoRevision: revision,
        dependsOn: [preApply],
      }),
    );
  };
  if (plan.componentsSecret && password && options.username !== undefined) {
    registrySecret(
      'components-secret',
      plan.componentsSecret,
      plan.components,
      options.username,
      password,
      options.passwordRevision,
    );
  }
  if (plan.clusterSecret && plan.cluster) {
    // The cluster registry's own credentials; without them it shares the components Secret.
    const username = options.clusterUsername ?? options.username;
    const secret = clusterPassword ?? password;
    if (username !== undefined && secret !== undefined) {
      registrySecret(
        'cluster-secret',
        plan.clusterSecret,
        plan.cluster,
        username,
        secret,
        clusterPassword ? options.clusterPasswordRevision : options.passwordRevision,
      );
    }
  }
  if (registryCreds && options.imagePullSecret) {
    // As flux install --registry-creds: the Deployments name it in imagePullSecrets (the
    // components artifact is generated with imagePullSecret), for the images of `registry`.
    secrets.push(
      new SecretV1(scope, 'image-pull-secret', {
        provider: kubernetes,
        metadata: { name: options.imagePullSecret, namespace: options.namespace },
        type: 'kubernetes.io/dockerconfigjson',
        dataWo: { '.dockerconfigjson': credsDockerConfigJson(options.registry, registryCreds) },
        dataWoRevision: options.registryCredsRevision,
        dependsOn: [preApply],
      }),
    );
  }
  if (plan.caSecret && ca) {
    // A CA is public: kept in state, so drift shows and a new CA rewrites it.
    secrets.push(
      new SecretV1(scope, 'ca-secret', {
        provider: kubernetes,
        metadata: { name: plan.caSecret, namespace: options.namespace },
        type: 'Opaque',
        data: { 'ca.crt': ca.toString('utf8') },
        dependsOn: [preApply],
      }),
    );
  }

  for (const secret of signing.secrets) {
    // A public key: kept in state, so drift shows and a new key rewrites it.
    secrets.push(
      new SecretV1(scope, secret.name, {
        provider: kubernetes,
        metadata: { name: secret.name, namespace: options.namespace },
        type: 'Opaque',
        data: { 'cosign.pub': secret.pem },
        dependsOn: [preApply],
      }),
    );
  }

  // Destroyed first in this stack (after the sync stack): Flux's uninstall order. Its only
  // trigger is the namespace, so nothing else replaces it (a replacement runs it).
  new FluxOciStep(scope, 'uninstall', {
    args: [
      'uninstall',
      '--silent',
      `--namespace=${options.namespace}`,
      ...destroyStepArgs(reach),
      `--keep-namespace=${options.keepNamespace}`,
    ],
    launcherFrom: stack,
    kubeconfigFromEnvironment: reach.kubeconfigFromEnvironment,
    environment: reach.destroyEnvironment,
    input: reach.input,
    triggers: { namespace: options.namespace },
    dependsOn: [preApply, ...secrets],
    onDestroy: true,
  });

  const syncStack = new TerraformStack(app, props.syncStackName);
  syncStack.addDependency(stack);
  const syncKubernetes = fluxKubernetesProvider(syncStack, connection);
  const manifests = plan.objects.map(
    (object) =>
      new Manifest(syncStack, `${object.kind.toLowerCase()}-${object.metadata.name}`, {
        provider: syncKubernetes,
        manifest: object as unknown as Record<string, unknown>,
        // Terraform owns these objects: an edit by another manager is drift, taken back.
        fieldManager: { forceConflicts: true },
        timeouts: { create: options.timeout, update: options.timeout, delete: options.timeout },
      }),
  );

  // The wait for Ready is ours, not the provider's `wait` (whose message cannot be told
  // what to do): a registry refusing a Secret's credentials fails it in one line naming
  // the revision prop to raise. It runs again for a new artifact, a rotated password, and
  // any sync object created or changed (its `object` is unknown in such a plan).
  const waitArgs = stepArgs(
    input,
    SYNC_KEYS.filter((key) => key !== 'kubeconfig' && key !== 'context'),
    copyCaFile(syncStack, options.caFile),
  );
  const wait = new FluxOciStep(syncStack, 'wait', {
    launcherFrom: syncStack,
    args: [
      'bootstrap',
      'oci',
      '--phase=wait',
      `--components-digest=${layout.digest}`,
      ...reach.args,
      ...waitArgs.args,
      ...passwordEnvArgs(password, clusterPassword),
      ...revisionArgs(options, password, clusterPassword),
    ],
    environment: { ...reach.environment, ...waitArgs.environment },
    kubeconfigFromEnvironment: reach.kubeconfigFromEnvironment,
    triggers: {
      digest: layout.digest,
      ...(password ? { password_revision: options.passwordRevision } : {}),
      ...(clusterPassword ? { cluster_password_revision: options.clusterPasswordRevision } : {}),
      // The spec only: metadata changes with every reconcile request (an annotation).
      objects: manifests.map((manifest) => Fn.lookup(manifest.object, 'spec')),
    },
    dependsOn: manifests,
  });
  return {
    syncStack,
    syncedResources: [...manifests, wait].map((resource) => ({
      fqn: Token.asString(new SyncStackReference(resource, stack, syncStack)),
    })),
  };
}

/**
 * A reference to a resource of the sync stack that checks the stack it is resolved in.
 * Terraform's depends_on names resources of its own configuration only: from another stack
 * cdktf would make it a remote-state output, which Terraform refuses at plan time, and from
 * the construct's own stack a circular stack dependency, which cdktf reports with a stack
 * trace. Either ends the synth with one line saying what to do instead.
 */
class SyncStackReference implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(
    private readonly resource: TerraformResource,
    private readonly stack: TerraformStack,
    private readonly syncStack: TerraformStack,
  ) {}

  resolve(context: IResolveContext): string {
    const resolving = TerraformStack.of(context.scope);
    if (resolving === this.syncStack) return this.resource.fqn;
    const sync = this.syncStack.node.id;
    const here = resolving.node.id;
    const mistake = `a resource of stack '${here}' has dependsOn: flux.syncedResources, but`;
    throw new ResolveTimeUserError(
      resolving === this.stack
        ? `${mistake} with rendering 'providers' they are in stack '${sync}', deployed after ` +
            `'${here}': put the resource in a stack of its own that calls ` +
            `addDependency(flux.syncStack!), or give the construct rendering: 'terraform-data'`
        : `${mistake} they are in stack '${sync}' and Terraform's depends_on names resources ` +
            `of its own stack only: drop it and call addDependency(flux.syncStack!) on stack '${here}'`,
    );
  }

  toString(): string {
    return Token.asString(this);
  }
}

function withKubeconfigFileIf(fromEnvironment: boolean, command: string): string {
  return fromEnvironment ? withKubeconfigFile(command) : command;
}

/** `{"auths":{"<registry>":{"username","password","auth"}}}`, computed by Terraform from the variable. */
function dockerConfigJson(registry: string, username: string, password: SensitiveInput): string {
  return Fn.jsonencode({
    auths: {
      [registry]: {
        username,
        password: password.value,
        auth: Fn.base64encode(Fn.join('', [username, ':', password.value])),
      },
    },
  });
}

/** As dockerConfigJson, from a variable holding `user:password` (checked by its validation). */
function credsDockerConfigJson(registry: string, creds: SensitiveInput): string {
  const parts = Fn.split(':', creds.value);
  return Fn.jsonencode({
    auths: {
      [registry]: {
        username: Fn.element(parts, 0),
        password: Fn.element(parts, 1),
        auth: Fn.base64encode(creds.value),
      },
    },
  });
}
