package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"herald"
	"herald/catalog"
	"herald/contact"
	"herald/render"
)

// MaxTemplateBodyBytes bounds the body of PUT /v1/templates/{name}: an
// email template may hold a 64 KiB text and a 64 KiB HTML part, which JSON
// escaping can make several times longer.
const MaxTemplateBodyBytes = 1 << 20

// templateJSON is a template as the API shows it.
type templateJSON struct {
	Name    string         `json:"name"`
	Channel herald.Channel `json:"channel"`
	// Locale is the locale of a tenant's template, "" for its default and
	// for a built-in one.
	Locale string `json:"locale"`
	// Origin is "builtin" or "tenant".
	Origin           string   `json:"origin"`
	OverridesBuiltin bool     `json:"overrides_builtin"`
	Text             string   `json:"text"`
	Subject          string   `json:"subject"`
	HTML             string   `json:"html"`
	Placeholders     []string `json:"placeholders"`
	// smsCost is that of the sample render, for SMS only.
	*smsCost
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// smsCost is how a rendered SMS travels. It is embedded as a pointer so
// that its fields are left out of email templates altogether.
type smsCost struct {
	// Encoding is "GSM-7" or "UCS-2".
	Encoding string `json:"encoding"`
	Segments int    `json:"segments"`
	Units    int    `json:"units"`
}

func smsCostOf(r render.Rendered) *smsCost {
	if r.Channel != herald.ChannelSMS {
		return nil
	}
	return &smsCost{Encoding: r.Encoding.Scheme, Segments: r.Encoding.Segments, Units: r.Encoding.Units}
}

// templateOf shows an entry the way render.Template.Describe describes a
// template, with the SMS cost of its sample render.
func templateOf(e catalog.Entry) templateJSON {
	d := e.Template.Describe()
	out := templateJSON{Name: d.Name, Channel: d.Channel, Locale: e.Locale, Origin: e.Origin, OverridesBuiltin: e.OverridesBuiltin,
		Text: d.Source.Text, Subject: d.Source.Subject, HTML: d.Source.HTML, Placeholders: d.Placeholders,
		smsCost: smsCostOf(d.Sample)}
	if e.Override != nil {
		out.CreatedAt, out.UpdatedAt = &e.Override.CreatedAt, &e.Override.UpdatedAt
	}
	return out
}

// templateChannel reads the channel a template request is about: the
// channel query parameter, else the body's channel field, else SMS. Both
// may be given when they agree.
func templateChannel(r *http.Request, fromBody herald.Channel) (herald.Channel, error) {
	fromQuery := herald.Channel(r.URL.Query().Get("channel"))
	switch {
	case fromQuery != "" && fromBody != "" && fromQuery != fromBody:
		return "", herald.FieldErrorf(herald.ECodeInvalid, "channel",
			"the channel query parameter %q and the body's channel %q differ", fromQuery, fromBody)
	case fromQuery != "":
		return fromQuery, nil
	case fromBody != "":
		return fromBody, nil
	}
	return herald.ChannelSMS, nil
}

// listTemplates answers every template the tenant sees, sorted by name,
// then channel. The list is built in memory (a tenant has at most
// herald.MaxTemplateOverrides templates of its own), and paged like every
// other list so that clients page it the same way.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	page, err := pageRequest(r)
	if err != nil {
		return err
	}
	after, err := decodeTemplateCursor(page.Cursor)
	if err != nil {
		return err
	}
	limit := page.Limit
	if limit == 0 {
		limit = herald.DefaultPageLimit
	}
	// One more than the page tells whether there is a next one; only the
	// templates listed are compiled.
	entries, err := s.Templates.List(r.Context(), t.ID, func(k catalog.Key) bool {
		return after == "" || templateKey(k.Name, k.Channel, k.Locale) > after
	}, limit+1)
	if err != nil {
		return err
	}
	out := herald.Page[templateJSON]{Items: []templateJSON{}}
	for _, e := range entries {
		if len(out.Items) == limit {
			last := out.Items[limit-1]
			out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(templateKey(last.Name, last.Channel, last.Locale)))
			break
		}
		out.Items = append(out.Items, templateOf(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// templateKey orders templates as the list does, by name, channel and
// locale. The space sorts below every character a template name may hold,
// so "a sms " < "a.b sms " exactly when ("a", "sms") < ("a.b", "sms"); the
// default ("") comes before every locale.
func templateKey(name string, channel herald.Channel, locale string) string {
	return name + " " + string(channel) + " " + locale
}

// templateLocale reads the locale a template request is about: the locale
// query parameter, else the body's locale field, else "" (the tenant's
// default). Both may be given when they agree.
func templateLocale(r *http.Request, fromBody string) (string, error) {
	fromQuery, err := contact.NormalizeLocale(r.URL.Query().Get("locale"))
	if err != nil {
		return "", err
	}
	if fromBody, err = contact.NormalizeLocale(fromBody); err != nil {
		return "", err
	}
	if fromQuery != "" && fromBody != "" && fromQuery != fromBody {
		return "", herald.FieldErrorf(herald.ECodeInvalid, "locale",
			"the locale query parameter %q and the body's locale %q differ", fromQuery, fromBody)
	}
	if fromQuery != "" {
		return fromQuery, nil
	}
	return fromBody, nil
}

func decodeTemplateCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.Contains(string(raw), " ") {
		return "", herald.FieldErrorf(herald.ECodeInvalidCursor, "cursor", "cursor is not one this server returned")
	}
	return string(raw), nil
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	channel, err := templateChannel(r, "")
	if err != nil {
		return err
	}
	locale, err := templateLocale(r, "")
	if err != nil {
		return err
	}
	e, err := s.Templates.GetLocale(r.Context(), t.ID, r.PathValue("name"), channel, locale)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, templateOf(e))
	return nil
}

// templateRequest is the body of PUT /v1/templates/{name}.
type templateRequest struct {
	Channel herald.Channel `json:"channel"`
	Text    string         `json:"text" text:"multiline"`
	Subject string         `json:"subject"`
	HTML    string         `json:"html" text:"multiline"`
	// Locale makes the template the one for leads of that locale ("de",
	// "de-AT", "fr"); without it, the tenant's default.
	Locale string `json:"locale"`
}

// putTemplate saves the tenant's own version of a template: 201 when it
// had none, 200 when it replaced its own.
func (s *Server) putTemplate(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var req templateRequest
	if err := decodeBody(w, r, &req, bodyRules{limit: MaxTemplateBodyBytes}); err != nil {
		return err
	}
	channel, err := templateChannel(r, req.Channel)
	if err != nil {
		return err
	}
	locale, err := templateLocale(r, req.Locale)
	if err != nil {
		return err
	}
	e, created, err := s.Templates.SaveLocale(r.Context(), t.ID, render.Source{Name: r.PathValue("name"), Channel: channel,
		Text: req.Text, Subject: req.Subject, HTML: req.HTML}, locale)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, templateOf(e))
	return nil
}

// deleteTemplate removes the tenant's own version of a template. What the
// tenant sees from then on is the built-in one, when there is one.
func (s *Server) deleteTemplate(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	channel, err := templateChannel(r, "")
	if err != nil {
		return err
	}
	locale, err := templateLocale(r, "")
	if err != nil {
		return err
	}
	if err := s.Templates.DeleteLocale(r.Context(), t.ID, r.PathValue("name"), channel, locale); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
