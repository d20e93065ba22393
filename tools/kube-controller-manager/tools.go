//go:build tools

// Records the main package's dependencies in go.mod/go.sum (go mod tidy keeps them).
package tools

import _ "k8s.io/kubernetes/cmd/kube-controller-manager"
