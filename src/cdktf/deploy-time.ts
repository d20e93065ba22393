import { Token } from 'cdktf';
import { TERRAFORM_TEMPLATE } from './flux-oci-command.js';

/** A CDKTF token, or a Terraform reference or template written out: known at deploy time only. */
export function isDeployTime(value: string): boolean {
  return Token.isUnresolved(value) || TERRAFORM_TEMPLATE.test(value);
}
