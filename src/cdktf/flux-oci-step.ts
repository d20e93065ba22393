import {
  TerraformResource,
  anyToTerraform,
  hashMapper,
  type ITerraformDependable,
  type TerraformStack,
} from 'cdktf';
import type { Construct } from 'constructs';
import { fluxOciCommand, portableFluxOciCommand, withKubeconfigFile } from './flux-oci-command.js';

export interface FluxOciStepProps {
  /**
   * `flux-oci` arguments, known at synth time; never a secret (they are in cdk.tf.json and
   * the process list).
   */
  readonly args: readonly string[];
  /**
   * The command's environment: values only known at deploy time (Terraform references),
   * which Terraform would substitute into the command line unescaped. Never a secret: a
   * sensitive value in the provisioner makes Terraform hide the command's output.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * What makes the step run again: any change replaces the resource, which runs the command.
   * Values stay in state and plan output; sensitive ones show as `(sensitive value)`.
   */
  readonly triggers: Record<string, unknown>;
  /**
   * Values the step keeps without running again when they change; a destroy-time command
   * reads them through its environment as `${self.output.<key>}`, the only references
   * Terraform allows there.
   * @default none
   */
  readonly input?: Record<string, unknown>;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Run `node` from the PATH and the launcher relative to this stack's directory, so the
   * command names no path of the synthesizing machine.
   * @default - the Node.js and the launcher that synthesized the app, by absolute path
   */
  readonly launcherFrom?: TerraformStack;
  /**
   * The kubeconfig's content is in the environment (KUBECONFIG_DATA_ENV): the command gets
   * it as a private temporary file.
   * @default false
   */
  readonly kubeconfigFromEnvironment?: boolean;
  /**
   * Run the command when the resource is destroyed instead of when it is created.
   * @default false
   */
  readonly onDestroy?: boolean;
}

/**
 * A `flux-oci` run as a Terraform resource: the built-in `terraform_data` (Terraform 1.4+,
 * OpenTofu 1.6+) with a local-exec provisioner, so no provider is needed. The command
 * inherits Terraform's environment, which is how passwords reach it (`TF_VAR_*`): a
 * sensitive value in the provisioner's own configuration would make Terraform hide the
 * command's output, error messages included.
 *
 * cdktf's own DataResource is not used: it runs `terraform version` once per resource at
 * synth time, which fails where only OpenTofu is installed and costs 20 ms a resource.
 */
export class FluxOciStep extends TerraformResource {
  static readonly tfResourceType = 'terraform_data';
  private readonly triggers: Record<string, unknown>;
  private readonly input?: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: FluxOciStepProps) {
    super(scope, id, {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
      dependsOn: props.dependsOn,
      provisioners: [
        {
          type: 'local-exec',
          command: stepCommand(props),
          ...(props.environment && Object.keys(props.environment).length > 0
            ? { environment: props.environment }
            : {}),
          ...(props.onDestroy ? { when: 'destroy' as const } : {}),
        },
      ],
    });
    this.triggers = props.triggers;
    this.input = props.input;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      triggers_replace: hashMapper(anyToTerraform)(this.triggers),
      input: hashMapper(anyToTerraform)(this.input),
    };
  }
}

function stepCommand(props: FluxOciStepProps): string {
  const command = props.launcherFrom
    ? portableFluxOciCommand(props.launcherFrom, props.args)
    : fluxOciCommand(props.args);
  return props.kubeconfigFromEnvironment ? withKubeconfigFile(command) : command;
}
