package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"herald/httpapi"
)

// specChecker checks real exchanges against openapi.json.
type specChecker struct {
	doc    *openapi3.T
	router routers.Router
}

// loadSpec loads and validates the embedded OpenAPI document. Each test
// loads its own, so no validation state is shared between parallel tests.
func loadSpec(t testing.TB) *specChecker {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.0 document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route openapi.json: %v", err)
	}
	return &specChecker{doc: doc, router: router}
}

// check validates the answer r to req (whose body was body) against the
// document: its status must be documented for the route, its headers and
// body must match the schema, and its body may hold no undocumented field.
// With strictRequest the request must match the document too. Answers to
// paths or methods the document does not know must be 404 or 405 problems.
func (s *specChecker) check(t *testing.T, req *http.Request, body []byte, r reply, strictRequest bool) {
	t.Helper()
	route, params, err := s.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		s.wantProblemSchema(t, req, r, http.StatusNotFound)
		return
	case errors.Is(err, routers.ErrMethodNotAllowed):
		s.wantProblemSchema(t, req, r, http.StatusMethodNotAllowed)
		return
	case err != nil:
		t.Fatalf("%s %s: find route: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: withBody(req, body), PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: checkBearer, MultiError: true}}
	if strictRequest {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Fatalf("%s %s: the request breaks openapi.json: %v", req.Method, req.URL.Path, err)
		}
		in.Request = withBody(req, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header,
		Body: io.NopCloser(bytes.NewReader(r.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s: the %d answer breaks openapi.json: %v\nbody: %s", req.Method, req.URL.Path, r.status, err, r.body)
	}
	if r.status == http.StatusNoContent {
		if len(r.body) != 0 {
			t.Fatalf("%s %s: a 204 answer has a body: %s", req.Method, req.URL.Path, r.body)
		}
		return
	}
	response := route.Operation.Responses.Status(r.status)
	media := response.Value.Content.Get(mediaType(r.header))
	if media == nil || media.Schema == nil {
		t.Fatalf("%s %s: no schema for %d %s", req.Method, req.URL.Path, r.status, mediaType(r.header))
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s %s: decode answer: %v", req.Method, req.URL.Path, err)
	}
	if extra := undocumentedFields(media.Schema.Value, v, "$"); len(extra) > 0 {
		t.Fatalf("%s %s: the %d answer has fields openapi.json does not document: %s",
			req.Method, req.URL.Path, r.status, strings.Join(extra, ", "))
	}
}

// wantProblemSchema checks an answer from outside the document's routes.
func (s *specChecker) wantProblemSchema(t *testing.T, req *http.Request, r reply, status int) {
	t.Helper()
	if r.status != status || mediaType(r.header) != "application/problem+json" {
		t.Fatalf("%s %s: outside openapi.json's routes the answer is %d %s, want a %d problem",
			req.Method, req.URL.Path, r.status, r.header.Get("Content-Type"), status)
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	problem := s.doc.Components.Schemas["Problem"].Value
	if err := problem.VisitJSON(v); err != nil {
		t.Fatalf("%s %s: the %d problem breaks openapi.json: %v", req.Method, req.URL.Path, status, err)
	}
}

// checkBearer accepts a request whose Authorization header holds a bearer
// token, as both of the document's security schemes ask.
func checkBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, token, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if in.SecurityScheme.Scheme != "bearer" || !strings.EqualFold(scheme, "bearer") || token == "" {
		return fmt.Errorf("want a bearer token for %s", in.SecuritySchemeName)
	}
	return nil
}

func withBody(req *http.Request, body []byte) *http.Request {
	clone := req.Clone(context.Background())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	return clone
}

func mediaType(h http.Header) string {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.TrimSpace(ct)
}

// undocumentedFields lists the object keys in v that schema (with its allOf
// parts) does not declare, at any depth. The document leaves
// additionalProperties open so that clients accept new fields, so this is
// what keeps it complete.
func undocumentedFields(schema *openapi3.Schema, v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props := properties(schema)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k]
			if !ok {
				if schema.AdditionalProperties.Has == nil && schema.AdditionalProperties.Schema == nil && len(props) == 0 {
					continue // a free-form object, such as the document itself
				}
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, undocumentedFields(sub, x[k], path+"."+k)...)
		}
	case []any:
		if schema.Items != nil {
			for i, item := range x {
				out = append(out, undocumentedFields(schema.Items.Value, item, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

func properties(schema *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	for name, ref := range schema.Properties {
		out[name] = ref.Value
	}
	for _, part := range schema.AllOf {
		for name, sub := range properties(part.Value) {
			out[name] = sub
		}
	}
	return out
}
