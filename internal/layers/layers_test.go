package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/supvisors/supvisors-go/"

// pkg is what `go list -deps -json` tells of one package.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// deps lists root and every package it depends on, by import path, as the
// go command resolves them for this platform (tests excluded).
func deps(t *testing.T, root string) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports", module+root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", root, err, stderr.String())
	}
	all := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -deps %s: %v", root, err)
		}
		all[p.ImportPath] = p
	}
	if _, ok := all[module+root]; !ok {
		t.Fatalf("go list -deps %s does not list the package itself", root)
	}
	return all
}

// chain is an import path from root to target in all, for messages.
func chain(all map[string]pkg, root, target string) string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var path []string
			for ; p != ""; p = prev[p] {
				path = append(path, strings.TrimPrefix(p, module))
			}
			slices.Reverse(path)
			return strings.Join(path, " → ")
		}
		for _, imp := range all[p].Imports {
			if _, seen := prev[imp]; !seen {
				prev[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return target
}

// leaves are the packages that every layer may import: the standard
// library only, themselves.
var leaves = []string{"enums", "fault"}

// pureCore are the decisions without I/O (README's Layout); they may use
// one another.
var pureCore = []string{"cluster/view", "strategy", "conciliation"}

// strayImports lists, sorted, the imports that leave the allowed packages
// in the dependencies of root: "a imports b" with a allowed (or of the
// standard library) and b neither, so that one wrong import reads as one
// line whatever it drags in.
func strayImports(t *testing.T, root string, allowed map[string]bool) []string {
	t.Helper()
	all := deps(t, root)
	var stray []string
	for path, p := range all {
		if !p.Standard && !allowed[path] {
			continue
		}
		for _, imp := range p.Imports {
			// "C" (cgo) is no package of its own: go list lists it nowhere.
			if q, listed := all[imp]; listed && !q.Standard && !allowed[imp] {
				stray = append(stray, strings.TrimPrefix(path, module)+" imports "+imp)
			}
		}
	}
	slices.Sort(stray)
	return slices.Compact(stray)
}

// TestLeavesImportOnlyTheStandardLibrary: a leaf that imports a package
// of the project, or any other module's, is no longer one.
func TestLeavesImportOnlyTheStandardLibrary(t *testing.T) {
	for _, leaf := range leaves {
		for _, s := range strayImports(t, leaf, map[string]bool{module + leaf: true}) {
			t.Errorf("leaf %s: %s", leaf, s)
		}
	}
}

// TestPureCoreImportsOnlyLeaves: cluster/view, strategy and conciliation
// depend on the standard library, the leaves and one another, nothing else
// (no process, no config, no viper, no memberlist, no x/sys).
func TestPureCoreImportsOnlyLeaves(t *testing.T) {
	allowed := map[string]bool{}
	for _, p := range append(slices.Clone(leaves), pureCore...) {
		allowed[module+p] = true
	}
	for _, core := range pureCore {
		for _, s := range strayImports(t, core, allowed) {
			t.Errorf("pure core %s: %s", core, s)
		}
	}
}

// TestClientLinksNoMemberlist: the Go client, hence supvisorsctl, speaks
// XML-RPC to an agent and links none of the agent's cluster machinery.
func TestClientLinksNoMemberlist(t *testing.T) {
	const memberlist = "github.com/hashicorp/memberlist"
	for _, root := range []string{"client", "cmd/supvisorsctl"} {
		all := deps(t, root)
		if _, ok := all[memberlist]; ok {
			t.Errorf("%s links %s: %s", root, memberlist, chain(all, module+root, memberlist))
		}
	}
}
