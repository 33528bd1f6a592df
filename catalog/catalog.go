// Package catalog is the set of templates a tenant sees: the built-in
// templates of render.Registry, with the tenant's own templates (stored as
// herald.TemplateOverride) in front of them. The API reads and changes it;
// the delivery worker renders from it.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"herald"
	"herald/render"
)

// Where a template comes from.
const (
	OriginBuiltin = "builtin"
	OriginTenant  = "tenant"
)

// Store is what the catalog needs of storage; herald.Store has it.
type Store interface {
	TemplateOverrides(ctx context.Context, tenantID, name string) ([]herald.TemplateOverride, error)
	SaveTemplateOverride(ctx context.Context, tenantID string, o herald.TemplateOverride) (herald.TemplateOverride, bool, error)
	DeleteTemplateOverride(ctx context.Context, tenantID, name string, channel herald.Channel, locale string) error
}

// Key names one template a tenant sees: a name and channel, and the locale
// of a tenant's template for the leads of one language ("" for the tenant's
// default or the built-in one).
type Key struct {
	Name    string
	Channel herald.Channel
	Locale  string
}

// Catalog resolves templates per tenant. Tenants' templates are read from
// the store on every call, so every process sees a change at once; their
// compiled forms are cached by source (see compiledCache), so a list or a
// send does not parse them again. It is safe for concurrent use.
type Catalog struct {
	store    Store
	builtins *render.Registry
	compiled *compiledCache
}

// New returns the catalog of store's tenants over builtins.
func New(store Store, builtins *render.Registry) *Catalog {
	return &Catalog{store: store, builtins: builtins, compiled: newCompiledCache(defaultCacheBytes)}
}

// Entry is one template as a tenant sees it.
type Entry struct {
	Template *render.Template
	// Origin is OriginBuiltin or OriginTenant.
	Origin string
	// OverridesBuiltin reports that a tenant's template hides a built-in
	// one, which deleting it brings back.
	OverridesBuiltin bool
	// Override is the stored template when Origin is OriginTenant.
	Override *herald.TemplateOverride
	// Locale is the locale of the tenant's template, "" for its default
	// and for a built-in one.
	Locale string
}

// Resolve picks the template of that name and channel from a tenant's
// default overrides, else from the built-ins. Its error is the
// *render.TemplateError of render.Registry.Get, whose message names the
// template.
func (c *Catalog) Resolve(name string, channel herald.Channel, overrides []herald.TemplateOverride) (Entry, error) {
	return c.ResolveLocale(name, channel, "", overrides)
}

// ResolveLocale picks the template a lead of that locale gets: the
// tenant's template of the locale ("de-AT"), else of its language ("de"),
// else the tenant's default, else the built-in one.
func (c *Catalog) ResolveLocale(name string, channel herald.Channel, locale string, overrides []herald.TemplateOverride) (Entry, error) {
	builtin, builtinErr := c.builtins.Get(name, channel)
	for _, want := range herald.TemplateLocales(locale) {
		for i := range overrides {
			o := &overrides[i]
			if o.Name != name || o.Channel != channel || !strings.EqualFold(o.Locale, want) {
				continue
			}
			t, err := c.compiled.compile(SourceOf(*o))
			if err != nil {
				// Templates are validated when saved, so this means a stored
				// row no longer compiles; the name helps whoever must fix it.
				return Entry{}, fmt.Errorf("tenant template %s/%s: %w", name, channel, err)
			}
			return Entry{Template: t, Origin: OriginTenant, OverridesBuiltin: builtinErr == nil, Override: o, Locale: o.Locale}, nil
		}
	}
	if builtinErr != nil {
		return Entry{}, builtinErr
	}
	return Entry{Template: builtin, Origin: OriginBuiltin}, nil
}

// Template implements schedule.Templates: it renders a reminder with the
// tenant's version of its template for the lead's locale (see
// ResolveLocale), loaded with the delivery state, else the built-in one. It
// runs no query, since it runs inside the delivery transaction.
func (c *Catalog) Template(_ context.Context, st *herald.DeliveryState, channel herald.Channel) (*render.Template, error) {
	e, err := c.ResolveLocale(st.Reminder.Template, channel, st.Lead.Locale, st.TemplateOverrides)
	if err != nil {
		return nil, err
	}
	return e.Template, nil
}

// Get returns the template a tenant sees under that name and channel. An
// unknown one is a not_found *herald.Error naming it.
func (c *Catalog) Get(ctx context.Context, tenantID, name string, channel herald.Channel) (Entry, error) {
	return c.GetLocale(ctx, tenantID, name, channel, "")
}

// GetLocale returns the template a lead of that locale gets under that name
// and channel (see ResolveLocale).
func (c *Catalog) GetLocale(ctx context.Context, tenantID, name string, channel herald.Channel, locale string) (Entry, error) {
	if err := checkChannel(channel); err != nil {
		return Entry{}, err
	}
	overrides, err := c.store.TemplateOverrides(ctx, tenantID, name)
	if err != nil {
		return Entry{}, err
	}
	e, err := c.ResolveLocale(name, channel, locale, overrides)
	if render.ErrorCode(err) != render.CodeUnknownTemplate {
		return e, err
	}
	if len(overrides) > 0 {
		// The tenant has the name on the other channel only.
		return Entry{}, herald.Errorf(herald.ECodeNotFound, "unknown template %q for channel %q", name, channel)
	}
	return Entry{}, herald.Errorf(herald.ECodeNotFound, "%s", err.Error())
}

// List returns the templates a tenant sees, sorted by name, channel and
// locale: the built-ins it has not overridden, its overrides (one per
// locale), and its own names. Only keys that keep accepts (all when keep is
// nil) are listed, at most limit of them (all when limit <= 0); only those
// are compiled.
func (c *Catalog) List(ctx context.Context, tenantID string, keep func(Key) bool, limit int) ([]Entry, error) {
	overrides, err := c.store.TemplateOverrides(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	var keys []Key
	for _, k := range c.builtins.List() {
		keys = append(keys, Key{Name: k.Name, Channel: k.Channel})
	}
	for _, o := range overrides {
		key := Key{Name: o.Name, Channel: o.Channel, Locale: o.Locale}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, func(a, b Key) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Channel), string(b.Channel)); c != 0 {
			return c
		}
		return strings.Compare(a.Locale, b.Locale)
	})
	out := make([]Entry, 0, min(len(keys), max(limit, 0)))
	for _, k := range keys {
		if keep != nil && !keep(k) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		e, err := c.ResolveLocale(k.Name, k.Channel, k.Locale, overrides)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Preview renders the template a lead of v's locale gets under that name
// and channel with v, as GetLocale finds it. A template that could render past render's
// bounds (one saved before they existed) is refused with CodeTooLarge
// rather than rendered.
func (c *Catalog) Preview(ctx context.Context, tenantID, name string, channel herald.Channel, v render.Values) (Entry, render.Rendered, error) {
	e, err := c.GetLocale(ctx, tenantID, name, channel, v.Locale)
	if err != nil {
		return Entry{}, render.Rendered{}, err
	}
	if err := e.Template.CheckRenderedSize(); err != nil {
		return Entry{}, render.Rendered{}, asHeraldError(err)
	}
	return e, e.Template.Render(v), nil
}

// Names returns the template names a tenant may use in reminder rules: the
// built-in names and its own, whatever their channels.
func (c *Catalog) Names(ctx context.Context, tenantID string) (map[string]bool, error) {
	overrides, err := c.store.TemplateOverrides(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, k := range c.builtins.List() {
		names[k.Name] = true
	}
	for _, o := range overrides {
		names[o.Name] = true
	}
	return names, nil
}

// Save validates src and stores it as the tenant's template of its name
// and channel; created reports that the tenant had none. A faulty template
// is refused with a *herald.Error whose code is the render error's (such
// as unknown_placeholder) and whose message names the fault and its offset.
func (c *Catalog) Save(ctx context.Context, tenantID string, src render.Source) (e Entry, created bool, err error) {
	return c.SaveLocale(ctx, tenantID, src, "")
}

// SaveLocale is Save for the leads of one locale ("" for the tenant's
// default); the caller has normalised the locale.
func (c *Catalog) SaveLocale(ctx context.Context, tenantID string, src render.Source, locale string) (e Entry, created bool, err error) {
	if err := checkChannel(src.Channel); err != nil {
		return Entry{}, false, err
	}
	if src.Channel == herald.ChannelSMS {
		// render ignores these for SMS; storing them would only mislead.
		if src.Subject != "" {
			return Entry{}, false, herald.FieldErrorf(herald.ECodeInvalid, "subject", "an SMS template has no subject")
		}
		if src.HTML != "" {
			return Entry{}, false, herald.FieldErrorf(herald.ECodeInvalid, "html", "an SMS template has no HTML part")
		}
	}
	for _, part := range []struct {
		field, text string
		multiline   bool
	}{{"text", src.Text, true}, {"html", src.HTML, true}, {"subject", src.Subject, false}} {
		check := herald.CheckLine
		if part.multiline {
			check = herald.CheckMultiline
		}
		if err := check(part.field, part.text); err != nil {
			return Entry{}, false, err
		}
	}
	if err := render.Validate(src); err != nil {
		return Entry{}, false, asHeraldError(err)
	}
	saved, created, err := c.store.SaveTemplateOverride(ctx, tenantID, herald.TemplateOverride{
		Name: src.Name, Channel: src.Channel, Locale: locale, Text: src.Text, Subject: src.Subject, HTML: src.HTML})
	if err != nil {
		return Entry{}, false, err
	}
	e, err = c.ResolveLocale(saved.Name, saved.Channel, saved.Locale, []herald.TemplateOverride{saved})
	return e, created, err
}

// Delete removes the tenant's template of that name and channel, which
// brings the built-in one back when there is one. Without a template of
// the tenant's own it is a not_found *herald.Error.
func (c *Catalog) Delete(ctx context.Context, tenantID, name string, channel herald.Channel) error {
	return c.DeleteLocale(ctx, tenantID, name, channel, "")
}

// DeleteLocale removes the tenant's template of that name and channel for
// one locale ("" for its default); leads of that locale get the next one
// of their fallbacks from then on.
func (c *Catalog) DeleteLocale(ctx context.Context, tenantID, name string, channel herald.Channel, locale string) error {
	if err := checkChannel(channel); err != nil {
		return err
	}
	err := c.store.DeleteTemplateOverride(ctx, tenantID, name, channel, locale)
	if herald.ErrorCode(err) != herald.ECodeNotFound {
		return err
	}
	if locale != "" {
		return herald.Errorf(herald.ECodeNotFound, "you have no template %q for %s in locale %q", name, channel, locale)
	}
	if _, builtinErr := c.builtins.Get(name, channel); builtinErr == nil {
		return herald.Errorf(herald.ECodeNotFound, "template %q for %s is the built-in one: there is no template of yours to delete", name, channel)
	}
	return herald.Errorf(herald.ECodeNotFound, "unknown template %q for %s", name, channel)
}

// SourceOf returns the source of a stored template.
func SourceOf(o herald.TemplateOverride) render.Source {
	return render.Source{Name: o.Name, Channel: o.Channel, Text: o.Text, Subject: o.Subject, HTML: o.HTML}
}

// checkChannel refuses a channel with no templates, with render's code.
func checkChannel(channel herald.Channel) error {
	if channel == herald.ChannelSMS || channel == herald.ChannelEmail {
		return nil
	}
	return asHeraldError(render.Validate(render.Source{Channel: channel}))
}

// asHeraldError turns a *render.TemplateError into a *herald.Error with the
// same code and detail, so the API shows it as a problem; the field is the
// part at fault.
func asHeraldError(err error) error {
	var te *render.TemplateError
	if !errors.As(err, &te) {
		return err
	}
	field := te.Part
	switch te.Code {
	case render.CodeUnknownChannel:
		field = "channel"
	case render.CodeInvalidName:
		field = "name"
	}
	return &herald.Error{Code: te.Code, Message: te.Detail, Field: field}
}
