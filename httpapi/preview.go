package httpapi

import (
	"net/http"
	"time"

	"herald"
	"herald/contact"
	"herald/render"
)

// previewRequest is the body of POST /v1/templates/{name}/preview: values
// that replace the samples (John's "Product Demo" at 2:00 PM New York time
// on 1 December 2026, rendered a day before). The texts are pointers so
// that "" can stand for a missing value, which drops the optional parts
// that use it.
type previewRequest struct {
	Channel  herald.Channel `json:"channel"`
	Name     *string        `json:"name"`
	Title    *string        `json:"title"`
	StartsAt string         `json:"starts_at"`
	Timezone string         `json:"timezone"`
	JoinLink *string        `json:"join_link"`
	Tenant   *string        `json:"tenant"`
	Locale   string         `json:"locale"`
	Now      string         `json:"now"`
}

// maxLocaleBytes bounds a preview's locale, a BCP 47 tag.
const maxLocaleBytes = 35

// previewJSON is a template rendered for a preview.
type previewJSON struct {
	Name    string         `json:"name"`
	Channel herald.Channel `json:"channel"`
	Origin  string         `json:"origin"`
	Text    string         `json:"text"`
	Subject string         `json:"subject"`
	HTML    string         `json:"html"`
	*smsCost
}

// previewTemplate renders the template the tenant sees under that name,
// as its reminders would be rendered, with sample values. The body may be
// left out.
func (s *Server) previewTemplate(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var req previewRequest
	if err := decodeBody(w, r, &req, bodyRules{limit: MaxBodyBytes, optional: true}); err != nil {
		return err
	}
	channel, err := templateChannel(r, req.Channel)
	if err != nil {
		return err
	}
	values, err := req.values()
	if err != nil {
		return err
	}
	e, out, err := s.Templates.Preview(r.Context(), t.ID, r.PathValue("name"), channel, values)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, previewJSON{Name: e.Template.Name(), Channel: channel, Origin: e.Origin,
		Text: out.Text, Subject: out.Subject, HTML: out.HTML, smsCost: smsCostOf(out)})
	return nil
}

// values returns the sample values with the request's in their place.
// Each text is capped as the real one is, so a preview renders no more
// than a reminder could.
func (req previewRequest) values() (render.Values, error) {
	v := render.SampleValues()
	for _, text := range []struct {
		field string
		dst   *string
		src   *string
		limit int
	}{
		{"name", &v.Name, req.Name, herald.MaxNameBytes},
		{"title", &v.Title, req.Title, herald.MaxTitleBytes},
		{"join_link", &v.JoinLink, req.JoinLink, herald.MaxJoinLinkBytes},
		{"tenant", &v.Tenant, req.Tenant, herald.MaxNameBytes},
	} {
		if text.src != nil && len(*text.src) > text.limit {
			return v, herald.FieldErrorf(herald.ECodeInvalid, text.field, "%s is longer than %d bytes", text.field, text.limit)
		}
		setText(text.dst, text.src)
	}
	if len(req.Locale) > maxLocaleBytes {
		return v, herald.FieldErrorf(herald.ECodeInvalid, "locale", "locale is longer than %d bytes", maxLocaleBytes)
	}
	if req.Locale != "" {
		// A well-formed tag also picks the tenant's template of that
		// locale; any other renders as before, with the default's words.
		v.Locale = req.Locale
		if tag, err := contact.NormalizeLocale(req.Locale); err == nil {
			v.Locale = tag
		}
	}
	if req.Timezone != "" {
		zone, err := herald.LoadZone(req.Timezone)
		if err != nil {
			return v, herald.FieldErrorf(herald.ECodeInvalidTimezone, "timezone",
				"timezone %q is not an IANA zone such as \"America/New_York\"", req.Timezone)
		}
		v.Zone = zone
	}
	if req.StartsAt != "" {
		start, err := parseTime("starts_at", req.StartsAt)
		if err != nil {
			return v, err
		}
		// A day before, as in the samples, unless now says otherwise.
		v.Start, v.Now = start, start.Add(-24*time.Hour)
	}
	if req.Now != "" {
		now, err := parseTime("now", req.Now)
		if err != nil {
			return v, err
		}
		v.Now = now
	}
	return v, nil
}

func setText(dst, src *string) {
	if src != nil {
		*dst = *src
	}
}
