//go:build tools

// Records the main package's dependencies in go.mod/go.sum (go mod tidy keeps them).
package tools

import _ "github.com/fluxcd/source-controller"
