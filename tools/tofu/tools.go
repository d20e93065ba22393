//go:build tools

// Records the main package's dependencies in go.mod/go.sum.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
