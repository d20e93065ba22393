// Command flux-artifact-oracle builds a Flux artifact with Flux 2.9's own libraries, so the
// tests can compare our TypeScript output with the real thing byte for byte.
//
//	flux-artifact-oracle --path <dir|file> --tar out.tar [--ignore p]... \
//	    [--manifest m.json --config c.json --created T --source S --revision R --annotation k=v]...
//	flux-artifact-oracle --match < {"patterns":[...],"paths":[{"path":"a/b","dir":true}],"globs":[["*.y","a.y"]]}
//
//	flux-artifact-oracle --untar layer.tgz --into <dir>
//
// --untar extracts a layer with fluxcd/pkg/tar's Untar, which source-controller uses for
// OCI artifacts, to show that Flux consumes what we build.
//
// --match answers, as JSON on stdout, what fluxcd/pkg/sourceignore decides for each path
// ("ignored") and what path/filepath.Match says for each glob ("match", "no-match" or
// "bad-pattern"), so the ignore rules can be compared case by case.
//
// The layer is built by fluxcd/pkg/oci's Build (what `flux build artifact` and
// `flux push artifact` call); the uncompressed tar is written to --tar. The manifest and
// config are assembled with go-containerregistry the way fluxcd/pkg/oci's Push does,
// without a registry.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fluxcd/pkg/oci"
	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/tar"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flux-artifact-oracle:", err)
		os.Exit(1)
	}
}

func run() error {
	var path, tarOut, gzOut, manifestOut, configOut, created, source, revision string
	var ignores, annotations list
	flag.StringVar(&path, "path", "", "directory or file to archive")
	flag.StringVar(&tarOut, "tar", "", "where to write the uncompressed tar (the layer's diffID content)")
	flag.StringVar(&gzOut, "gzip", "", "where to write the gzip layer as Flux writes it")
	flag.Var(&ignores, "ignore", "ignore pattern (repeatable); none given = flux's default --ignore-paths")
	flag.StringVar(&manifestOut, "manifest", "", "where to write the manifest JSON")
	flag.StringVar(&configOut, "config", "", "where to write the config JSON")
	flag.StringVar(&created, "created", "", "created annotation (RFC3339)")
	flag.StringVar(&source, "source", "", "source annotation")
	flag.StringVar(&revision, "revision", "", "revision annotation")
	flag.Var(&annotations, "annotation", "custom annotation key=value (repeatable)")
	match := flag.Bool("match", false, "answer ignore and glob questions read as JSON from stdin")
	untar := flag.String("untar", "", "a gzip layer to extract with fluxcd/pkg/tar Untar")
	into := flag.String("into", "", "where --untar extracts to")
	flag.Parse()
	if *match {
		return answerMatches()
	}
	if *untar != "" {
		f, err := os.Open(*untar)
		if err != nil {
			return err
		}
		defer f.Close()
		return tar.Untar(f, *into)
	}

	ignorePaths := []string(ignores)
	if len(ignorePaths) == 0 {
		// flux2 cmd/flux/build_artifact.go excludeOCI
		ignorePaths = append(strings.Split(sourceignore.ExcludeVCS, ","), strings.Split(sourceignore.ExcludeExt, ",")...)
	}

	tmp, err := os.MkdirTemp("", "flux-artifact-oracle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	layerPath := filepath.Join(tmp, "artifact.tgz")

	client := oci.NewClient(oci.DefaultOptions())
	if err := client.Build(layerPath, path, ignorePaths); err != nil {
		return err
	}
	gz, err := os.ReadFile(layerPath)
	if err != nil {
		return err
	}
	if gzOut != "" {
		if err := os.WriteFile(gzOut, gz, 0o644); err != nil {
			return err
		}
	}
	if tarOut != "" {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(tarOut, raw, 0o644); err != nil {
			return err
		}
	}
	if manifestOut == "" && configOut == "" {
		return nil
	}

	// Mirrors fluxcd/pkg/oci push.go (v0.68.1) up to crane.Push.
	meta := oci.Metadata{Created: created, Source: source, Revision: revision, Annotations: map[string]string{}}
	for _, a := range annotations {
		kv := strings.Split(a, "=")
		if len(kv) != 2 {
			return fmt.Errorf("invalid annotation %q", a)
		}
		meta.Annotations[kv[0]] = kv[1]
	}
	if meta.Created == "" {
		meta.Created = time.Now().UTC().Format(time.RFC3339)
	}
	ann := meta.ToAnnotations()
	createdValue := ann[oci.CreatedAnnotation]
	if createdValue == "" {
		createdValue = meta.Created
		ann[oci.CreatedAnnotation] = createdValue
	}
	createdTime, err := time.Parse(time.RFC3339, createdValue)
	if err != nil {
		return fmt.Errorf("invalid created timestamp %q: %w", createdValue, err)
	}
	layer, err := tarball.LayerFromFile(layerPath, tarball.WithMediaType(oci.CanonicalContentMediaType), tarball.WithCompressedCaching)
	if err != nil {
		return err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, oci.CanonicalConfigMediaType)
	configFile, err := img.ConfigFile()
	if err != nil {
		return err
	}
	configFile.Created = gcrv1.Time{Time: createdTime}
	if img, err = mutate.ConfigFile(img, configFile); err != nil {
		return err
	}
	img = mutate.Annotations(img, ann).(gcrv1.Image)
	if img, err = mutate.Append(img, mutate.Addendum{Layer: layer}); err != nil {
		return err
	}
	if manifestOut != "" {
		raw, err := img.RawManifest()
		if err != nil {
			return err
		}
		if err := os.WriteFile(manifestOut, raw, 0o644); err != nil {
			return err
		}
	}
	if configOut != "" {
		raw, err := img.RawConfigFile()
		if err != nil {
			return err
		}
		if err := os.WriteFile(configOut, raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type matchQuestions struct {
	Patterns []string `json:"patterns"`
	Paths    []struct {
		Path string `json:"path"`
		Dir  bool   `json:"dir"`
	} `json:"paths"`
	Globs [][2]string `json:"globs"`
}

type matchAnswers struct {
	Ignored []bool   `json:"ignored"`
	Globs   []string `json:"globs"`
}

// answerMatches uses the same calls as fluxcd/pkg/oci build: ReadPatterns on the joined
// patterns, then Match on the path split into components (here relative, with no domain).
func answerMatches() error {
	var q matchQuestions
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		return err
	}
	ps := sourceignore.ReadPatterns(strings.NewReader(strings.Join(q.Patterns, "\n")), nil)
	matcher := sourceignore.NewMatcher(ps)
	a := matchAnswers{Ignored: []bool{}, Globs: []string{}}
	for _, p := range q.Paths {
		a.Ignored = append(a.Ignored, matcher.Match(strings.Split(p.Path, "/"), p.Dir))
	}
	for _, g := range q.Globs {
		ok, err := filepath.Match(g[0], g[1])
		switch {
		case err != nil:
			a.Globs = append(a.Globs, "bad-pattern")
		case ok:
			a.Globs = append(a.Globs, "match")
		default:
			a.Globs = append(a.Globs, "no-match")
		}
	}
	return json.NewEncoder(os.Stdout).Encode(a)
}
