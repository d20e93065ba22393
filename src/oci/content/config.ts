import { blobOf, type Blob } from './descriptor.js';
import { FLUX_CONFIG_MEDIA_TYPE } from './media-types.js';

/**
 * The config blob of every Flux 2.9 artifact: go-containerregistry v0.21.6 keeps the empty
 * image's config untouched for non-image config media types, so it never varies (115
 * bytes, sha256:5b943e2b…). Flux 2.8 wrote a different config; 2.9 is the reference here.
 */
export const FLUX_CONFIG_JSON =
  '{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}';

/** The config blob with its descriptor. */
export function fluxConfigBlob(): Blob {
  return blobOf(FLUX_CONFIG_MEDIA_TYPE, Buffer.from(FLUX_CONFIG_JSON, 'utf8'));
}
