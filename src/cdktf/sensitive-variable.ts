import { TerraformVariable, type TerraformStack } from 'cdktf';
import { UserError } from '../errors.js';

const MARKER = /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/;

/**
 * A reference to a sensitive Terraform variable, for the construct's `password` props:
 * `'${var.oci_password}'`. The construct declares the variable in its stack, and the
 * pipeline sets it through the environment (`TF_VAR_oci_password`), never the command line.
 */
export function sensitiveVariable(name: string): string {
  const reference = `\${var.${name}}`;
  if (!MARKER.test(reference)) {
    throw new UserError(
      `'${name}' is not a Terraform variable name: use letters, digits, '_' and '-', starting with a letter or '_'`,
    );
  }
  return reference;
}

/** A declared sensitive variable: its value (a token) and the environment variable that sets it. */
export interface SensitiveInput {
  /** `var.<name>`, for expressions whose result Terraform keeps sensitive. */
  readonly value: string;
  /** `TF_VAR_<name>`: the pre-apply steps inherit Terraform's environment and read it there. */
  readonly envName: string;
}

/**
 * Declares (once per stack) the sensitive variable a `sensitiveVariable()` reference names.
 * Anything else is refused: a literal would be written to cdk.tf.json.
 */
export function declareSensitiveVariable(
  stack: TerraformStack,
  prop: string,
  reference: string,
): SensitiveInput {
  const match = MARKER.exec(reference);
  if (!match) {
    throw new UserError(
      `${prop} must not be written in the app's code (it would be stored in cdk.tf.json): ` +
        `pass FluxBootstrapOci.sensitiveVariable('oci_password') and set TF_VAR_oci_password in the pipeline's environment`,
    );
  }
  const name = match[1];
  const existing = stack.node.tryFindChild(`var-${name}`) as TerraformVariable | undefined;
  const variable =
    existing ??
    new TerraformVariable(stack, `var-${name}`, {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `${prop} for the Flux bootstrap; set it with TF_VAR_${name}`,
    });
  variable.overrideLogicalId(name);
  return { value: variable.stringValue, envName: `TF_VAR_${name}` };
}
