package webui

import (
	"strings"
	"time"

	"herald"
)

func (s *Server) adminTenants(c *pageCtx) error {
	return s.showTenants(c, 200, nil, "")
}

func (s *Server) showTenants(c *pageCtx, status int, created map[string]string, problem string) error {
	page, err := s.Store.ListTenants(c.r.Context(), pageOf(c))
	if err != nil {
		return err
	}
	s.render(c.w, c.r, status, "tenants", c, map[string]any{
		"Rows": page.Items, "Created": created, "Problem": problem,
		"Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

// adminCreateTenant creates a tenant and shows its API key, once.
func (s *Server) adminCreateTenant(c *pageCtx) error {
	name := strings.TrimSpace(c.r.PostForm.Get("name"))
	t, key, err := s.Store.CreateTenant(c.r.Context(), name)
	if herald.ErrorCode(err) == herald.ECodeInvalid {
		return s.showTenants(c, 422, nil, "A tenant needs a name of 1 to 200 characters.")
	}
	if err != nil {
		return err
	}
	return s.showTenants(c, 201, map[string]string{"ID": t.ID, "Name": t.Name, "Key": key}, "")
}

// adminSetDisabled disables or enables a tenant, as PATCH
// /v1/admin/tenants/{id} does: a disabled tenant's keys and dashboard
// sessions are refused and its reminders held.
func (s *Server) adminSetDisabled(disabled bool) func(c *pageCtx) error {
	return func(c *pageCtx) error {
		if _, err := s.Store.SetTenantDisabled(c.r.Context(), c.r.PathValue("id"), disabled); err != nil {
			return err
		}
		done := "enabled"
		if disabled {
			done = "disabled"
		}
		redirectDone(c, "/ui/admin/tenants", done)
		return nil
	}
}

// recentErrors is how many failed provider calls the health page lists.
const recentErrors = 20

func (s *Server) adminProviders(c *pageCtx) error {
	var providers []ProviderStatus
	if s.Providers != nil {
		providers = s.Providers()
	}
	errs, err := s.Dashboard.RecentProviderErrors(c.r.Context(), recentErrors)
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "providers", c, map[string]any{"Providers": providers, "Errors": errs})
	return nil
}

// workerRow is a process on the workers page, aged by the database's
// clock that took its heartbeats.
type workerRow struct {
	herald.WorkerProcess
	Age   time.Duration
	Stale bool
}

func (s *Server) adminWorkers(c *pageCtx) error {
	procs, err := s.Dashboard.WorkerProcesses(c.r.Context())
	if err != nil {
		return err
	}
	rows := make([]workerRow, 0, len(procs.Processes))
	for _, p := range procs.Processes {
		age := max(procs.Now.Sub(p.HeartbeatAt), 0)
		rows = append(rows, workerRow{WorkerProcess: p, Age: age, Stale: s.StoppedAfter > 0 && age > s.StoppedAfter})
	}
	s.render(c.w, c.r, 200, "workers", c, map[string]any{
		"Recorded": procs.Recorded, "Rows": rows, "StoppedAfter": s.StoppedAfter,
	})
	return nil
}
