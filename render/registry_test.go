package render_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the machine's zone files

	"herald"
	"herald/render"
)

// johnAt returns John's "Product Demo" at 2:00 PM New York time on Tuesday
// 1 December 2026, rendered at the given time before the start.
func johnAt(t *testing.T, before time.Duration) render.Values {
	t.Helper()
	zone, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, time.December, 1, 14, 0, 0, 0, zone).UTC()
	return render.Values{
		Name:     "John",
		Title:    "Product Demo",
		Start:    start,
		JoinLink: "https://meet.example.com/demo",
		Zone:     zone,
		Now:      start.Add(-before),
	}
}

func TestGetBuiltin(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	for _, name := range []string{render.MeetingReminder24h, render.MeetingReminder1h, render.MeetingReminder10m} {
		for _, channel := range []herald.Channel{herald.ChannelSMS, herald.ChannelEmail} {
			tpl, err := reg.Get(name, channel)
			if err != nil {
				t.Fatalf("Get(%q, %q): %v", name, channel, err)
			}
			if tpl.Name() != name || tpl.Channel() != channel {
				t.Errorf("Get(%q, %q) returned %q/%q", name, channel, tpl.Name(), tpl.Channel())
			}
		}
	}
}

func TestGetUnknownNamesIt(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	tests := []struct {
		name    string
		channel herald.Channel
		want    string
	}{
		{"foo", herald.ChannelSMS, `unknown template "foo"`},
		{"", herald.ChannelEmail, `unknown template ""`},
		{render.MeetingReminder1h, "fax", `unknown template "meeting_reminder_1h" for channel "fax"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := reg.Get(tt.name, tt.channel)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Get(%q) error = %v, want %q", tt.name, err, tt.want)
			}
			if code := render.ErrorCode(err); code != render.CodeUnknownTemplate {
				t.Errorf("code = %q, want %q", code, render.CodeUnknownTemplate)
			}
		})
	}
}

// TestBuiltinSMSWordForWord renders the built-in SMS texts exactly as docs/RULES.md,
// "Templates" shows them for John / Product Demo / 2:00 PM.
func TestBuiltinSMSWordForWord(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	tests := []struct {
		template string
		before   time.Duration
		noLink   bool
		want     string
	}{
		{render.MeetingReminder24h, 24 * time.Hour, false,
			`Hi John, reminder: You have "Product Demo" scheduled for tomorrow at 2:00 PM. Reply CONFIRM to confirm.`},
		{render.MeetingReminder1h, time.Hour, false,
			`Hi John, your meeting "Product Demo" starts in 1 hour at 2:00 PM.`},
		{render.MeetingReminder10m, 10 * time.Minute, false,
			`Hi John, "Product Demo" starts in 10 min! Join: https://meet.example.com/demo`},
		{render.MeetingReminder10m, 10 * time.Minute, true,
			`Hi John, "Product Demo" starts in 10 min!`},
		// A 24-hour reminder that goes out late, on the meeting's own day,
		// must not say tomorrow.
		{render.MeetingReminder24h, 5 * time.Hour, false,
			`Hi John, reminder: You have "Product Demo" scheduled for today at 2:00 PM. Reply CONFIRM to confirm.`},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			t.Parallel()
			tpl, err := reg.Get(tt.template, herald.ChannelSMS)
			if err != nil {
				t.Fatal(err)
			}
			v := johnAt(t, tt.before)
			if tt.noLink {
				v.JoinLink = ""
			}
			got := tpl.Render(v)
			if got.Text != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got.Text, tt.want)
			}
			if got.Encoding.Scheme != render.SchemeGSM7 || got.Encoding.Segments != 1 {
				t.Errorf("Encoding = %+v, want one GSM-7 segment", got.Encoding)
			}
		})
	}
}

func TestBuiltinEmail(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	tpl, err := reg.Get(render.MeetingReminder24h, herald.ChannelEmail)
	if err != nil {
		t.Fatal(err)
	}
	v := johnAt(t, 24*time.Hour)
	v.Title = `Demo <script>alert("x")</script> & Q&A`
	v.Tenant = "Acme Sales"
	got := tpl.Render(v)
	if want := `Reminder: Demo <script>alert("x")</script> & Q&A tomorrow at 2:00 PM`; got.Subject != want {
		t.Errorf("Subject = %q, want %q", got.Subject, want)
	}
	for _, want := range []string{
		"Hi John,\n\n",
		`"Demo <script>alert("x")</script> & Q&A" is scheduled for Tue, Dec 1 at 2:00 PM (EST).`,
		"Join the meeting: https://meet.example.com/demo\n",
		"\nAcme Sales\n",
	} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, got.Text)
		}
	}
	for _, want := range []string{
		`<strong>Demo &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Q&amp;A</strong>`,
		`<a href="https://meet.example.com/demo">Join the meeting</a>`,
		`<p>Acme Sales</p>`,
	} {
		if !strings.Contains(got.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, got.HTML)
		}
	}
	if strings.Contains(got.HTML, "<script>") {
		t.Errorf("HTML carries the title unescaped:\n%s", got.HTML)
	}

	// Without a link or a tenant, their lines go away in both parts.
	v.JoinLink, v.Tenant = "", ""
	got = tpl.Render(v)
	for _, part := range []string{got.Text, got.HTML} {
		if strings.Contains(part, "Join") || strings.Contains(part, "Acme") {
			t.Errorf("part keeps a line whose value is empty:\n%s", part)
		}
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	got := render.NewRegistry().List()
	var want []render.Key
	for _, name := range []string{render.MeetingReminder10m, render.MeetingReminder1h, render.MeetingReminder24h} {
		want = append(want, render.Key{Name: name, Channel: herald.ChannelEmail}, render.Key{Name: name, Channel: herald.ChannelSMS})
	}
	if !slices.Equal(got, want) {
		t.Errorf("List() = %v, want %v", got, want)
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	tests := []struct {
		name         string
		channel      herald.Channel
		placeholders []string
		sample       string
		segments     int
	}{
		{render.MeetingReminder24h, herald.ChannelSMS, []string{"name", "title", "day", "time"},
			`Hi John, reminder: You have "Product Demo" scheduled for tomorrow at 2:00 PM. Reply CONFIRM to confirm.`, 1},
		{render.MeetingReminder10m, herald.ChannelSMS, []string{"name", "title", "join_link"},
			`Hi John, "Product Demo" starts in 10 min! Join: https://meet.example.com/product-demo`, 1},
		{render.MeetingReminder1h, herald.ChannelEmail, []string{"title", "name", "time", "zone", "join_link", "tenant"},
			"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+string(tt.channel), func(t *testing.T) {
			t.Parallel()
			d, err := reg.Describe(tt.name, tt.channel)
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != tt.name || d.Channel != tt.channel {
				t.Errorf("described %s/%s", d.Name, d.Channel)
			}
			if !slices.Equal(d.Placeholders, tt.placeholders) {
				t.Errorf("Placeholders = %v, want %v", d.Placeholders, tt.placeholders)
			}
			if tt.sample != "" && d.Sample.Text != tt.sample {
				t.Errorf("Sample = %q, want %q", d.Sample.Text, tt.sample)
			}
			if d.Sample.Encoding.Segments != tt.segments {
				t.Errorf("Segments = %d, want %d", d.Sample.Encoding.Segments, tt.segments)
			}
			if tt.channel == herald.ChannelEmail && d.Sample.Subject != "Starting in 1 hour: Product Demo" {
				t.Errorf("Subject = %q", d.Sample.Subject)
			}
		})
	}
	if _, err := reg.Describe("foo", herald.ChannelSMS); err == nil || err.Error() != `unknown template "foo"` {
		t.Errorf("Describe(foo) error = %v", err)
	}
}

func TestApplyTo(t *testing.T) {
	t.Parallel()
	reg := render.NewRegistry()
	sms, _ := reg.Get(render.MeetingReminder1h, herald.ChannelSMS)
	v := johnAt(t, time.Hour)
	v.Name = "李雷"
	msg := &herald.Message{}
	sms.Render(v).ApplyTo(msg)
	if !msg.Unicode || msg.Channel != herald.ChannelSMS || !strings.HasPrefix(msg.Text, "Hi 李雷,") || msg.Email != nil {
		t.Errorf("SMS message = %+v", msg)
	}

	email, _ := reg.Get(render.MeetingReminder1h, herald.ChannelEmail)
	calendar := []byte("BEGIN:VCALENDAR\r\n")
	msg = &herald.Message{Email: &herald.EmailContent{Calendar: calendar}}
	email.Render(v).ApplyTo(msg)
	if msg.Unicode || msg.Email.Subject != "Starting in 1 hour: Product Demo" || msg.Email.HTML == "" || msg.Text == "" {
		t.Errorf("email message = %+v", msg)
	}
	if string(msg.Email.Calendar) != string(calendar) {
		t.Error("ApplyTo dropped the calendar")
	}
}
