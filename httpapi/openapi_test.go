package httpapi_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"herald/dbtest"
	"herald/httpapi"
	"herald/webhook"
)

// TestOpenAPIDocumentsEveryRoute compares the route table of server.go with
// the document, both ways: no route undocumented, no documented route that
// the server does not have.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	var documented []string
	for path, item := range spec.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	registered := routePatterns(t)
	// The routes the command mounts beside the API through Server.Extra.
	for pattern := range (&webhook.Handler{}).Routes() {
		registered = append(registered, pattern)
	}
	registered = append(registered, "GET /metrics", "GET /ui/")
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q of server.go is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("openapi.json documents %q, which server.go does not register", d)
		}
	}
	if len(registered) < 18 {
		t.Errorf("found only %d routes in server.go: %v", len(registered), registered)
	}
}

// routePatterns reads the patterns that server.go registers on its mux
// with HandleFunc, so a new route cannot be added without this test
// seeing it.
func routePatterns(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "server.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true // the Extra routes, mounted by the command, not the API
		}
		pattern, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pattern)
		return true
	})
	return out
}

// TestOpenAPIServed checks that the server publishes the document it embeds.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	b := setup(t, dbtest.SQLite(t))
	r := b.do(t, "GET", "/openapi.json", "", nil)
	r.want(t, http.StatusOK, nil)
	if !bytes.Equal(r.body, httpapi.OpenAPIDocument) {
		t.Fatal("GET /openapi.json does not answer the embedded document")
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi = %q (%v), want 3.0.x", doc.OpenAPI, err)
	}
}
