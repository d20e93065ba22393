//go:build tools

// Package tools records the kustomize CLI as a dependency of this wrapper module.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
