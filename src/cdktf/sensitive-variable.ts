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

/** What a structured secret must look like, checked by Terraform's variable validation. */
export interface SensitiveFormat {
  /** An RE2 pattern the whole value matches. */
  readonly pattern: string;
  /** e.g. `'user:password' with exactly one ':'`. */
  readonly description: string;
  /** The variable name shown in the message for a literal. */
  readonly example: string;
}

/**
 * Declares (once per stack) the sensitive variable a `sensitiveVariable()` reference names.
 * Anything else is refused: a literal would be written to cdk.tf.json.
 */
export function declareSensitiveVariable(
  stack: TerraformStack,
  prop: string,
  reference: string,
  format?: SensitiveFormat,
): SensitiveInput {
  const match = MARKER.exec(reference);
  if (!match) {
    const example = format?.example ?? 'oci_password';
    const holding = format ? ` holding ${format.description}` : '';
    throw new UserError(
      `${prop} must not be written in the app's code (it would be stored in cdk.tf.json): ` +
        `pass FluxBootstrapOci.sensitiveVariable('${example}') and set TF_VAR_${example}${holding} in the pipeline's environment`,
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
      // Checked by Terraform before anything runs; its message never shows the value.
      ...(format
        ? {
            validation: [
              {
                condition: `\${can(regex(${JSON.stringify(format.pattern)}, var.${name}))}`,
                errorMessage: `${prop} (TF_VAR_${name}) must be ${format.description}.`,
              },
            ],
          }
        : {}),
    });
  variable.overrideLogicalId(name);
  return { value: variable.stringValue, envName: `TF_VAR_${name}` };
}
