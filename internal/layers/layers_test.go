// Package layers holds the test that keeps the module's imports running
// down the layers docs/architecture.md lists.
package layers

import (
	"bufio"
	"errors"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/bpfbitmap/prototype"

// readLayers returns the lines of the "layers" block of the architecture
// document, bottom layer first, each a list of patterns.
func readLayers(r io.Reader) ([][]string, error) {
	var layers [][]string
	in := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "```layers":
			in = true
		case in && line == "```":
			return layers, nil
		case in && line != "":
			layers = append(layers, strings.Fields(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("no ```layers block")
}

// layerOf returns the index of the first layer with a pattern matching pkg
// (a path relative to the module), or -1.
func layerOf(layers [][]string, pkg string) int {
	for i, l := range layers {
		for _, p := range l {
			if base, ok := strings.CutSuffix(p, "/..."); ok && (pkg == base || strings.HasPrefix(pkg, base+"/")) || pkg == p {
				return i
			}
		}
	}
	return -1
}

// pkg is what go list -json says of one package.
type pkg struct {
	ImportPath, Name                   string
	Imports, TestImports, XTestImports []string
}

// violations returns every import in pkgs that runs up layers, every
// package of the module that no layer names, and every command outside
// cmd/. A main package is a command: it stands above the top layer, and
// importing it is a violation. External
// test packages (package x_test) are users of the library, not part of it:
// they may import any package but a command, as the verifier's tests load
// programs through the oracle.
func violations(layers [][]string, pkgs []pkg) []string {
	var out []string
	top := len(layers) - 1
	level := map[string]int{}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		level[p.ImportPath] = layerOf(layers, rel)
		if p.Name == "main" {
			level[p.ImportPath] = top + 1 // above every layer: nothing may import it
			if !strings.HasPrefix(rel, "cmd/") {
				out = append(out, fmt.Sprintf("%s is a command outside cmd/", p.ImportPath))
			}
		}
	}
	for _, p := range pkgs {
		from := level[p.ImportPath]
		if from < 0 {
			out = append(out, fmt.Sprintf("%s is in no layer of docs/architecture.md", p.ImportPath))
			continue
		}
		from = min(from, top)
		for kind, imps := range map[string][]string{"imports": p.Imports, "test imports": p.TestImports, "external test imports": p.XTestImports} {
			for _, imp := range imps {
				to, ours := level[imp]
				if !ours || imp == p.ImportPath {
					continue
				}
				if kind == "external test imports" && to <= top {
					continue
				}
				if to > from {
					out = append(out, fmt.Sprintf("%s (layer %d) %s %s (layer %d)", p.ImportPath, from, kind, imp, to))
				}
			}
		}
	}
	return out
}

// modulePackages lists the module's packages under root by reading their
// files with go/build, rather than asking go list: go test then sees every
// file the result rests on, so a cached pass cannot hide a new import.
func modulePackages(root string) ([]pkg, error) {
	var pkgs []pkg
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		ip := module
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		pkgs = append(pkgs, pkg{ImportPath: ip, Name: bp.Name, Imports: bp.Imports, TestImports: bp.TestImports, XTestImports: bp.XTestImports})
		return nil
	})
	return pkgs, err
}

func TestLayers(t *testing.T) {
	f, err := os.Open("../../docs/architecture.md")
	require.NoError(t, err)
	defer f.Close()
	layers, err := readLayers(f)
	require.NoError(t, err)
	pkgs, err := modulePackages("../..")
	require.NoError(t, err)
	var paths []string
	for _, p := range pkgs {
		paths = append(paths, p.ImportPath)
	}
	require.Contains(t, paths, module+"/kfuncs")
	require.Contains(t, paths, module+"/cmd/bpfbitmap")
	require.Empty(t, violations(layers, pkgs))
}

// TestViolations plants the imports the rule forbids and one it allows.
func TestViolations(t *testing.T) {
	layers, err := readLayers(strings.NewReader("x\n```layers\ninternal/...\nbpfbitmap\nkfuncs\nbench\ncmd/...\n```\n"))
	require.NoError(t, err)
	require.Equal(t, [][]string{{"internal/..."}, {"bpfbitmap"}, {"kfuncs"}, {"bench"}, {"cmd/..."}}, layers)
	p := func(path, name string, imps, test []string) pkg {
		return pkg{ImportPath: module + "/" + path, Name: name, Imports: imps, XTestImports: test}
	}
	m := func(s string) string { return module + "/" + s }
	got := violations(layers, []pkg{
		p("bpfbitmap", "bpfbitmap", []string{m("internal/words"), "fmt"}, nil),
		p("kfuncs", "kfuncs", []string{m("bpfbitmap")}, []string{m("bench"), m("cmd/tool")}),
		{ImportPath: m("internal/words"), Name: "words", TestImports: []string{m("bpfbitmap")}},
		p("bench", "bench", []string{m("kfuncs"), m("cmd/tool")}, nil),
		p("cmd/tool", "main", []string{m("bench")}, nil),
		p("kfuncs/oracle/cmd/x", "main", []string{m("bench")}, nil),
		p("stray", "stray", nil, nil),
	})
	require.ElementsMatch(t, []string{
		m("kfuncs") + " (layer 2) external test imports " + m("cmd/tool") + " (layer 5)",
		m("internal/words") + " (layer 0) test imports " + m("bpfbitmap") + " (layer 1)",
		m("bench") + " (layer 3) imports " + m("cmd/tool") + " (layer 5)",
		m("stray") + " is in no layer of docs/architecture.md",
		m("kfuncs/oracle/cmd/x") + " is a command outside cmd/",
	}, got)
	_, err = readLayers(strings.NewReader("no block"))
	require.Error(t, err)
}
