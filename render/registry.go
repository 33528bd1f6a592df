package render

import (
	"fmt"
	"slices"
	"strings"

	"herald"
)

// Key identifies a template: a reminder rule names a template, and the
// channel chosen at send time picks its SMS or its email version, so the
// same name exists once per channel.
type Key struct {
	Name    string
	Channel herald.Channel
}

// Registry holds the built-in templates, compiled once. It is read-only and
// safe for concurrent use. Tenants' overrides live in the database; look
// them up there first and fall back to the Registry.
type Registry struct {
	templates map[Key]*Template
	keys      []Key
}

// NewRegistry compiles the built-in templates: meeting_reminder_24h,
// meeting_reminder_1h and meeting_reminder_10m, each for SMS and for email.
func NewRegistry() *Registry {
	r := &Registry{templates: make(map[Key]*Template)}
	for _, src := range builtinSources() {
		t, err := Compile(src)
		if err != nil {
			// The built-ins are constants under test; failing here is a
			// programming error, not a runtime condition.
			panic(fmt.Sprintf("render: built-in template %s/%s: %v", src.Name, src.Channel, err))
		}
		t.english = true
		key := Key{Name: src.Name, Channel: src.Channel}
		r.templates[key] = t
		r.keys = append(r.keys, key)
	}
	slices.SortFunc(r.keys, func(a, b Key) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(string(a.Channel), string(b.Channel))
	})
	return r
}

// Get returns the built-in template of that name for that channel. An
// unknown one is a *TemplateError with code unknown_template whose message
// names it: `unknown template "foo"`.
func (r *Registry) Get(name string, channel herald.Channel) (*Template, error) {
	if t, ok := r.templates[Key{Name: name, Channel: channel}]; ok {
		return t, nil
	}
	detail := fmt.Sprintf("unknown template %q", displayName(name))
	if r.hasName(name) {
		detail = fmt.Sprintf("unknown template %q for channel %q", displayName(name), displayName(string(channel)))
	}
	return nil, &TemplateError{Code: CodeUnknownTemplate, Detail: detail, Offset: -1}
}

func (r *Registry) hasName(name string) bool {
	for _, k := range r.keys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// List returns the keys of all templates, sorted by name, then channel.
func (r *Registry) List() []Key { return slices.Clone(r.keys) }

// Describe describes one template with a sample render; see
// Template.Describe. An unknown template fails as in Get.
func (r *Registry) Describe(name string, channel herald.Channel) (Description, error) {
	t, err := r.Get(name, channel)
	if err != nil {
		return Description{}, err
	}
	return t.Describe(), nil
}
