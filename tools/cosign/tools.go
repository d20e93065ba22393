//go:build tools

// Records the cosign CLI's dependencies in go.mod/go.sum (go mod tidy keeps them).
package tools

import _ "github.com/sigstore/cosign/v2/cmd/cosign"
