// Wrapper module: pins the Flux CLI v2.9.5 module (and, through go.sum, its checksum). The CLI
// is not built from here: cmd/flux embeds release manifests (//go:embed manifests/*.yaml) that
// the module zip lacks, so build.sh builds it in a copy of the module source (see tool.conf).
module flux-bootstrap-oci/tools/flux

go 1.26.0

require github.com/fluxcd/flux2/v2 v2.9.5
