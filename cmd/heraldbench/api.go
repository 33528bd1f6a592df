package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// adminToken is the HERALD_ADMIN_TOKEN the benchmark starts Herald with.
const adminToken = "heraldbench-admin"

// apiClient calls Herald's REST API as a booking system would, over
// keep-alive connections.
type apiClient struct {
	baseURL string
	key     string
	http    *http.Client
}

// newAPIClient returns a client that keeps up to conns idle connections,
// one per concurrent caller, so no request pays for a new connection.
func newAPIClient(baseURL string, conns int) *apiClient {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = conns
	transport.MaxIdleConns = conns
	return &apiClient{baseURL: baseURL, http: &http.Client{Transport: transport, Timeout: time.Minute}}
}

// call sends body as JSON with the bearer token and decodes the answer
// into out; an answer other than want is an error that quotes it.
func (c *apiClient) call(ctx context.Context, method, path, token string, body any, want int, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, answer)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer, out)
}

// createTenant creates a tenant through the admin API and keeps its key
// for the calls that follow; it returns the tenant's id.
func (c *apiClient) createTenant(ctx context.Context, name string) (string, error) {
	var answer struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	if err := c.call(ctx, "POST", "/v1/admin/tenants", adminToken, map[string]string{"name": name},
		http.StatusCreated, &answer); err != nil {
		return "", err
	}
	c.key = answer.APIKey
	return answer.ID, nil
}

// createLead creates a lead with a phone number, so its reminders go by
// SMS, and returns its id.
func (c *apiClient) createLead(ctx context.Context, name, phone string) (string, error) {
	var lead struct {
		ID string `json:"id"`
	}
	err := c.call(ctx, "POST", "/v1/leads", c.key, map[string]string{"name": name, "phone": phone},
		http.StatusCreated, &lead)
	return lead.ID, err
}

// bookMeeting books a meeting for leadID at startsAt.
func (c *apiClient) bookMeeting(ctx context.Context, leadID, title string, startsAt time.Time) error {
	return c.call(ctx, "POST", "/v1/meetings", c.key, map[string]string{
		"lead_id": leadID, "title": title, "starts_at": startsAt.UTC().Format(time.RFC3339), "source": "heraldbench",
	}, http.StatusCreated, nil)
}
