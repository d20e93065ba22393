/** The registry host of an `oci://host[:port]/repository[:tag]` URL, as Docker config keys it. */
export function registryHost(ociUrl: string): string {
  return ociUrl.replace(/^oci:\/\//, '').split('/')[0];
}
