/** The OCI image manifest type Flux artifacts use (a plain image manifest, no artifactType). */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** The Flux artifact config type (fluxcd/pkg/oci `CanonicalConfigMediaType`). */
export const FLUX_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.flux.config.v1+json';

/** The Flux tarball layer type (fluxcd/pkg/oci `CanonicalContentMediaType`). */
export const FLUX_CONTENT_MEDIA_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';
