package e2e

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"herald"
	"herald/providers"
	"herald/render"
	"herald/schedule"
	"herald/smsroute"
	"herald/sqlstore"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

// inProcess is Herald's reminder worker running inside the test, wired as
// `herald worker` wires it, with SMS going to a vonagetest fake.
type inProcess struct {
	// jobs plans reminder jobs on the engine's client.
	jobs *schedule.Jobs
	// logPath is the file the worker logs to.
	logPath string
}

// newDeliverer returns the deliverer `herald worker` would build on store
// for the fake (no pace limit, the default retry policy).
func newDeliverer(t *testing.T, store herald.DeliveryStore, fake *vonagetest.Server, sendTimeout time.Duration, logger *slog.Logger) *schedule.Deliverer {
	t.Helper()
	cfg := fake.Config()
	senders, err := providers.Build(providers.Config{Vonage: &cfg, SMSOrder: []string{vonage.Name}}, smsroute.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &schedule.Deliverer{Store: store, SMS: senders.SMS,
		Templates: schedule.BuiltinTemplates{Registry: render.NewRegistry()}, Clock: herald.SystemClock{},
		Logger: logger, SendTimeout: sendTimeout, Retry: schedule.RetryPolicy{InitialDelay: time.Minute, Multiplier: 2}}
}

// startInProcess starts the job engine on db with a poll interval of
// pollInterval and 50 workers, configured as `herald worker` configures
// it, and stops it gracefully at the end of the test.
func startInProcess(t *testing.T, db *sqlstore.DB, fake *vonagetest.Server, pollInterval, sendTimeout time.Duration) *inProcess {
	t.Helper()
	logger, logPath := fileLogger(t, "worker-"+db.Name())
	d := newDeliverer(t, nil, fake, sendTimeout, logger)
	client, err := schedule.NewWorkerClient(db.RiverDriver(), &schedule.ReminderWorker{Deliverer: d}, schedule.EngineConfig{
		PollInterval: pollInterval, MaxWorkers: 50, JobTimeout: 2*sendTimeout + 5*time.Second, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	d.Store = sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{})
	ctx := context.Background()
	if err := db.ForgetLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop the job engine: %v", err)
		}
	})
	return &inProcess{jobs: schedule.NewJobs(client), logPath: logPath}
}
