package client

import (
	"context"
	"iter"
	"net/http"
	"time"

	"herald"
)

// Tenant is a tenant as the operator sees it.
type Tenant struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
	// Keys is the number of the tenant's API keys, in lists.
	Keys *int `json:"keys,omitempty"`
}

// Tenants lists the tenants; the client's key must be the admin token.
func (c *Client) Tenants(ctx context.Context, opts ListOptions) iter.Seq2[Tenant, error] {
	return paginate[Tenant](ctx, c, "/v1/admin/tenants", nil, opts)
}

// SetTenantDisabled disables a tenant (its keys are refused, its reminders
// held) or enables it again; the client's key must be the admin token.
func (c *Client) SetTenantDisabled(ctx context.Context, id string, disabled bool) (Tenant, error) {
	var out Tenant
	err := c.do(ctx, http.MethodPatch, pathOf("v1", "admin", "tenants", id), nil, map[string]bool{"disabled": disabled}, &out)
	return out, err
}

// CreatedAPIKey is a new API key, shown only once.
type CreatedAPIKey struct {
	ID        string    `json:"id"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
	Key       string    `json:"api_key"`
}

// APIKeys lists the tenant's API keys by prefix.
func (c *Client) APIKeys(ctx context.Context) iter.Seq2[herald.APIKey, error] {
	return paginate[herald.APIKey](ctx, c, "/v1/api-keys", nil, ListOptions{})
}

// CreateAPIKey creates another API key of the tenant.
func (c *Client) CreateAPIKey(ctx context.Context, opts ...RequestOption) (CreatedAPIKey, error) {
	var out CreatedAPIKey
	err := c.do(ctx, http.MethodPost, "/v1/api-keys", nil, nil, &out, opts...)
	return out, err
}

// RevokeAPIKey deletes an API key of the tenant; the last one cannot go.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathOf("v1", "api-keys", id), nil, nil, nil)
}

// DeleteLead erases a lead and its personal data.
func (c *Client) DeleteLead(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathOf("v1", "leads", id), nil, nil, nil)
}
