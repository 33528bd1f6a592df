package main

import (
	"context"
	"net/http"
	"testing"

	"herald"
	"herald/client"
	"herald/vonage/vonagetest"
)

// TestClientKeysTenantsAndErasure drives the operator's and the key
// routes through the client package.
func TestClientKeysTenantsAndErasure(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url, _ := eventsDB(t, dbName)
			s := startEventsServer(t, eventsEnv(url, vonagetest.NewServer(t), nil))
			admin := client.New(s.url, eventsAdminToken)
			acme, _ := newTenant(t, s, "Acme")

			tenants := collect(t, admin.Tenants(ctx, client.ListOptions{}))
			if len(tenants) != 1 || tenants[0].Name != "Acme" || tenants[0].Keys == nil || *tenants[0].Keys != 1 {
				t.Fatalf("tenants %+v", tenants)
			}
			disabled, err := admin.SetTenantDisabled(ctx, tenants[0].ID, true)
			if err != nil || !disabled.Disabled {
				t.Fatalf("disable: %+v, %v", disabled, err)
			}
			if _, err := acme.Settings(ctx); client.ErrorCode(err) != herald.ECodeUnauthorized {
				t.Fatalf("a disabled tenant's key: %v", err)
			}
			if _, err := admin.SetTenantDisabled(ctx, tenants[0].ID, false); err != nil {
				t.Fatal(err)
			}

			second, err := acme.CreateAPIKey(ctx)
			if err != nil || second.Key == "" {
				t.Fatalf("create key: %+v, %v", second, err)
			}
			if keys := collect(t, acme.APIKeys(ctx)); len(keys) != 2 {
				t.Fatalf("%d keys, want 2", len(keys))
			}
			if err := acme.RevokeAPIKey(ctx, second.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := client.New(s.url, second.Key).Settings(ctx); client.ErrorCode(err) != herald.ECodeUnauthorized {
				t.Fatalf("a revoked key: %v", err)
			}

			lead, err := acme.CreateLead(ctx, herald.LeadInput{Name: "Jane", Email: "jane@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if err := acme.DeleteLead(ctx, lead.ID); err != nil {
				t.Fatal(err)
			}
			var problem *client.Error
			if erased, err := acme.Lead(ctx, lead.ID); err != nil || erased.Name != "" || erased.Email != "" {
				t.Fatalf("an erased lead: %+v (%v), want its personal data gone", erased, err)
			}
			if _, err := acme.CreateLead(ctx, herald.LeadInput{Name: "X", Phone: "12"}); !asError(err, &problem) ||
				problem.Status != http.StatusUnprocessableEntity || problem.Field == "" {
				t.Fatalf("a bad phone: %+v (%v)", problem, err)
			}
		})
	}
}

func asError(err error, target **client.Error) bool {
	e, ok := err.(*client.Error)
	*target = e
	return ok
}
