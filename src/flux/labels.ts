/** Labels `flux install` puts on every component (`pkg/manifestgen/install/templates.go`). */
export const partOfLabel = 'app.kubernetes.io/part-of';
export const partOfFlux = 'flux';
export const instanceLabel = 'app.kubernetes.io/instance';

/** Labels kustomize-controller puts on every object it applies (`fluxcd/pkg/ssa` owner labels). */
export const kustomizationNameLabel = 'kustomize.toolkit.fluxcd.io/name';
export const kustomizationNamespaceLabel = 'kustomize.toolkit.fluxcd.io/namespace';

/** The API group suffix shared by all Flux custom resources. */
export const fluxGroupSuffix = '.toolkit.fluxcd.io';

/** Labels helm-controller puts on every object of a release. */
export const helmReleaseNameLabel = 'helm.toolkit.fluxcd.io/name';
export const helmReleaseNamespaceLabel = 'helm.toolkit.fluxcd.io/namespace';
