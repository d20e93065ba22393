import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource/index.js';
import { optionsToArgs } from '../bootstrap/option-args.js';
import type { ResolvedBootstrapOptions } from '../bootstrap/resolve-options.js';
import { parseOciReference } from '../oci/reference.js';
import { buildComponentsLayout, type ComponentsLayout } from './components-layout.js';
import { fluxOciCommand } from './flux-oci-command.js';
import { addProviders, kubeconfigPath } from './kubernetes-connection.js';
import { registrySecret } from './registry-secret.js';
import { declareSensitiveVariable } from './sensitive-variable.js';

/** The options the install step needs besides the prebuilt artifact. */
const INSTALL_STEP_KEYS = [
  'url',
  'username',
  'provider',
  'namespace',
  'caFile',
  'allowInsecureHttp',
  'timeout',
  'context',
] as const;

/**
 * Phase 1: the components artifact (built at synth time) is pushed by digest and tagged,
 * and the components are applied, by one pre-apply step; then the registry Secret. The
 * step runs again only when the artifact's digest or URL changes, and it leaves the
 * components alone once the `flux-components` Kustomization owns them: after the hand-off
 * Flux updates itself, and a tag moved by CI is never moved back.
 */
export class FluxInstallStack extends TerraformStack {
  /** `sha256:...` of the components artifact this stack pushes. */
  readonly componentsDigest: string;
  /** The artifact as built at synth time (shared by the clusters of an app with equal options). */
  readonly componentsLayout: ComponentsLayout;

  constructor(scope: Construct, id: string, options: ResolvedBootstrapOptions) {
    super(scope, id);
    addProviders(this, options);
    const layout = buildComponentsLayout(this, options);
    this.componentsLayout = layout;
    this.componentsDigest = layout.digest;
    const artifact = new TerraformAsset(this, 'components-artifact', {
      path: layout.dir,
      type: AssetType.DIRECTORY,
    });

    const password =
      options.password === undefined
        ? undefined
        : declareSensitiveVariable(this, 'password', options.password);
    const kubeconfig = kubeconfigPath(options);
    const step = new NullResource(this, 'install-components', {
      triggers: { digest: layout.digest, url: options.url, namespace: options.namespace },
      provisioners: [
        {
          type: 'local-exec',
          command: fluxOciCommand([
            'bootstrap',
            'oci',
            '--phase=install',
            `--artifact=${artifact.path}`,
            `--kubeconfig=${kubeconfig}`,
            ...optionsToArgs(options, INSTALL_STEP_KEYS),
          ]),
          environment: password === undefined ? undefined : { OCI_PASSWORD: password },
        },
      ],
    });

    const secret =
      options.username !== undefined && password !== undefined
        ? registrySecret(this, 'components-registry-secret', {
            name: 'flux-components',
            namespace: options.namespace,
            host: parseOciReference(options.url).registry,
            username: options.username,
            password,
            dependsOn: [step],
          })
        : undefined;

    // Destroyed first (it depends on the rest): uninstalls Flux in its own order. Its only
    // trigger is the namespace, so a new artifact never replaces it (a replacement would run
    // the uninstall); the command's literal words come from the current configuration.
    new NullResource(this, 'uninstall-on-destroy', {
      triggers: { namespace: options.namespace },
      dependsOn: secret ? [step, secret] : [step],
      provisioners: [
        {
          type: 'local-exec',
          when: 'destroy',
          command: fluxOciCommand([
            'uninstall',
            '--silent',
            `--namespace=${options.namespace}`,
            `--kubeconfig=${kubeconfig}`,
            ...(options.context ? [`--context=${options.context}`] : []),
            `--keep-namespace=${options.keepNamespace}`,
          ]),
        },
      ],
    });
  }
}
