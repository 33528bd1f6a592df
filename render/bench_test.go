package render_test

import (
	"testing"
	"time"

	"herald"
	"herald/render"
)

// BenchmarkRender renders built-in templates as the dispatcher does, one
// message per iteration, and reports renders per second. Run it with
//
//	go test -run '^$' -bench BenchmarkRender -benchmem ./render/
func BenchmarkRender(b *testing.B) {
	reg := render.NewRegistry()
	zone, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, time.December, 1, 19, 0, 0, 0, time.UTC)
	plain := render.Values{Name: "John", Title: "Product Demo", Start: start, Now: start.Add(-24 * time.Hour),
		JoinLink: "https://meet.example.com/demo", Tenant: "Acme Sales", Zone: zone, Locale: "en-US"}
	// Curly quotes in a title make Render try the text twice: the slow path.
	curly := plain
	curly.Title = "“Product Demo” – Q&A"

	cases := []struct {
		name    string
		key     render.Key
		values  render.Values
		compile bool
	}{
		{"sms-24h", render.Key{Name: render.MeetingReminder24h, Channel: herald.ChannelSMS}, plain, false},
		{"sms-24h-lookalikes", render.Key{Name: render.MeetingReminder24h, Channel: herald.ChannelSMS}, curly, false},
		{"sms-10m-compile-each", render.Key{Name: render.MeetingReminder10m, Channel: herald.ChannelSMS}, plain, true},
		{"email-24h", render.Key{Name: render.MeetingReminder24h, Channel: herald.ChannelEmail}, plain, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tpl, err := reg.Get(c.key.Name, c.key.Channel)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			renders := 0
			for b.Loop() {
				t := tpl
				if c.compile {
					// A tenant's own template, compiled from its source at
					// every send.
					if t, err = render.Compile(tpl.Source()); err != nil {
						b.Fatal(err)
					}
				}
				if t.Render(c.values).Text == "" {
					b.Fatal("empty render")
				}
				renders++
			}
			b.ReportMetric(float64(renders)/b.Elapsed().Seconds(), "renders/s")
		})
	}
}
