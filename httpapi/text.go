package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"herald"
)

// checkStrings refuses control characters in every string a request body
// decoded into v, naming the field by its JSON path
// ("reminder_rules[2].name"). Strings are one line unless their struct
// field is tagged text:"multiline" (template texts, reply texts), which
// allows line breaks and tabs. Doing it here, for every body of every
// route, keeps NUL and its kind out of both databases alike: PostgreSQL
// refuses NUL in text, SQLite keeps it, and neither should see it.
func checkStrings(v any) error {
	return walkStrings(reflect.ValueOf(v), "", false, 0)
}

// maxWalkDepth stops a walk of a self-referencing value; decoded request
// bodies are far shallower.
const maxWalkDepth = 32

func walkStrings(v reflect.Value, path string, multiline bool, depth int) error {
	if depth > maxWalkDepth {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path, multiline, depth+1)
	case reflect.String:
		field := path
		if field == "" {
			field = "body"
		}
		if multiline {
			return herald.CheckMultiline(field, v.String())
		}
		return herald.CheckLine(field, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			sub := path
			if !f.Anonymous || name != "" {
				if name == "" {
					name = f.Name
				}
				sub = joinPath(path, name)
			}
			if err := walkStrings(v.Field(i), sub, f.Tag.Get("text") == "multiline", depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multiline, depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if err := walkStrings(iter.Key(), path, false, depth+1); err != nil {
				return err
			}
			if err := walkStrings(iter.Value(), joinPath(path, fmt.Sprint(iter.Key())), multiline, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkRequestText refuses, before any route runs, a request of the API
// or the dashboard whose path, query or Idempotency-Key holds invalid UTF-8 or a control
// character: such text can name no object, and PostgreSQL would refuse it
// in a query where SQLite would not.
func (s *Server) checkRequestText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := requestTextError(r); err != nil {
			writeError(w, r, s.Logger, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func requestTextError(r *http.Request) error {
	// The API and the dashboard beside it; the webhooks check their own
	// parameters, as the provider's format says.
	if !strings.HasPrefix(r.URL.Path, "/v1/") && !strings.HasPrefix(r.URL.Path, "/ui/") {
		return nil
	}
	if herald.CheckLine("path", r.URL.Path) != nil {
		return herald.Errorf(herald.ECodeNotFound, "no object or route has this path: it is not valid UTF-8 or holds a control character")
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return herald.Errorf(herald.ECodeInvalidQuery, "the query string is malformed: %v", err)
	}
	for name, values := range query {
		if herald.CheckLine("query", name) != nil {
			return herald.Errorf(herald.ECodeInvalidQuery, "a query parameter name is not valid UTF-8 or holds a control character")
		}
		for _, v := range values {
			if err := herald.CheckLine(name, v); err != nil {
				return herald.FieldErrorf(herald.ECodeInvalidQuery, name, "%s", herald.ErrorMessage(err))
			}
		}
	}
	for _, v := range r.Header.Values("Idempotency-Key") {
		if err := herald.CheckLine("Idempotency-Key", v); err != nil {
			return err
		}
	}
	return nil
}
