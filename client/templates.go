package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"herald"
)

// Template is a message template as the tenant sees it: its own, or the
// built-in one.
type Template struct {
	Name    string         `json:"name"`
	Channel herald.Channel `json:"channel"`
	// Locale is the locale of the tenant's version ("de", "de-AT"), ""
	// for its default and for a built-in template.
	Locale string `json:"locale"`
	// Origin is "builtin" or "tenant".
	Origin           string   `json:"origin"`
	OverridesBuiltin bool     `json:"overrides_builtin"`
	Text             string   `json:"text"`
	Subject          string   `json:"subject"`
	HTML             string   `json:"html"`
	Placeholders     []string `json:"placeholders"`
	// Encoding, Segments and Units are an SMS template's cost, rendered
	// with sample values.
	Encoding  string     `json:"encoding,omitempty"`
	Segments  int        `json:"segments,omitempty"`
	Units     int        `json:"units,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// TemplateInput is the tenant's own version of a template.
type TemplateInput struct {
	Channel herald.Channel `json:"channel,omitempty"`
	Text    string         `json:"text"`
	Subject string         `json:"subject,omitempty"`
	HTML    string         `json:"html,omitempty"`
	// Locale makes it the version for the leads of that locale ("de",
	// "de-AT", "fr"); empty, the tenant's default.
	Locale string `json:"locale,omitempty"`
}

// PreviewInput replaces the sample values of a preview; nil and empty
// fields keep the samples.
type PreviewInput struct {
	Channel  herald.Channel `json:"channel,omitempty"`
	Name     *string        `json:"name,omitempty"`
	Title    *string        `json:"title,omitempty"`
	StartsAt string         `json:"starts_at,omitempty"`
	Timezone string         `json:"timezone,omitempty"`
	JoinLink *string        `json:"join_link,omitempty"`
	Tenant   *string        `json:"tenant,omitempty"`
	Locale   string         `json:"locale,omitempty"`
	Now      string         `json:"now,omitempty"`
}

// Preview is a template rendered with sample values.
type Preview struct {
	Name     string         `json:"name"`
	Channel  herald.Channel `json:"channel"`
	Origin   string         `json:"origin"`
	Text     string         `json:"text"`
	Subject  string         `json:"subject"`
	HTML     string         `json:"html"`
	Encoding string         `json:"encoding,omitempty"`
	Segments int            `json:"segments,omitempty"`
	Units    int            `json:"units,omitempty"`
}

func channelQuery(ch herald.Channel) url.Values {
	if ch == "" {
		return nil
	}
	return url.Values{"channel": {string(ch)}}
}

// Templates lists the templates the tenant sees, by name and channel.
func (c *Client) Templates(ctx context.Context, opts ListOptions) iter.Seq2[Template, error] {
	return paginate[Template](ctx, c, "/v1/templates", nil, opts)
}

// Template reads a template of a channel (SMS when empty).
func (c *Client) Template(ctx context.Context, name string, channel herald.Channel) (Template, error) {
	var out Template
	err := c.do(ctx, http.MethodGet, pathOf("v1", "templates", name), channelQuery(channel), nil, &out)
	return out, err
}

// PutTemplate saves the tenant's own version of a template.
func (c *Client) PutTemplate(ctx context.Context, name string, in TemplateInput) (Template, error) {
	var out Template
	err := c.do(ctx, http.MethodPut, pathOf("v1", "templates", name), nil, in, &out)
	return out, err
}

// DeleteTemplate removes the tenant's own version of a template.
func (c *Client) DeleteTemplate(ctx context.Context, name string, channel herald.Channel) error {
	return c.do(ctx, http.MethodDelete, pathOf("v1", "templates", name), channelQuery(channel), nil, nil)
}

// PreviewTemplate renders a template with sample values.
func (c *Client) PreviewTemplate(ctx context.Context, name string, in PreviewInput) (Preview, error) {
	var out Preview
	err := c.do(ctx, http.MethodPost, pathOf("v1", "templates", name, "preview"), nil, in, &out)
	return out, err
}
