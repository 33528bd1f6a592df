package main

// The statements of seedRange, one list per database. Markers: @name is a
// value of seedRange; {rules} is the VALUES list of the plan's rules as
// (idx, name, template, offset_us), {rule_count} their number. Meeting g
// (from @lo to @hi) starts @first_us + (g-1) × @step_us microseconds after
// 1970; each of its reminders is due its rule's offset earlier.

// postgresSeed generates rows with generate_series and draws the job ids
// from the engine's own sequence.
var postgresSeed = []string{
	`INSERT INTO leads (id, tenant_id, name, phone, email, timezone, locale, sms_opted_out, sms_opted_out_at,
		created_at, updated_at)
	SELECT 'lead_' || @prefix || '_' || g, @tenant, 'Lead ' || g, '+1' || (2000000000 + g), '', '', '', false, NULL,
		@now::timestamptz, @now::timestamptz
	FROM generate_series(@lo::int, @hi::int) AS g`,

	`INSERT INTO meetings (id, tenant_id, lead_id, title, starts_at, timezone, join_link, status, source, sequence,
		confirmed_at, cancelled_at, created_at, updated_at)
	SELECT 'mtg_' || @prefix || '_' || g, @tenant, 'lead_' || @prefix || '_' || g, 'Demo ' || g,
		to_timestamp(0) + (@first_us::bigint + (g - 1) * @step_us::bigint) * interval '1 microsecond',
		'', '', 'scheduled', 'heraldbench', 0, NULL, NULL, @now::timestamptz, @now::timestamptz
	FROM generate_series(@lo::int, @hi::int) AS g`,

	`INSERT INTO reminders (id, tenant_id, meeting_id, rule, template, scheduled_at, status, reason, channel, provider,
		attempts, max_retries, next_retry_at, last_error, external_message_id, idempotency_key, delivery_status,
		sent_at, job_id, created_at, updated_at)
	SELECT 'rem_' || @prefix || '_' || g || '_' || r.name, @tenant, 'mtg_' || @prefix || '_' || g, r.name, r.template,
		to_timestamp(0) + (@first_us::bigint + (g - 1) * @step_us::bigint - r.offset_us) * interval '1 microsecond',
		'pending', '', '', '', 0, 3, NULL, '', '', 'mtg_' || @prefix || '_' || g || ':0:' || r.name, '', NULL,
		nextval(pg_get_serial_sequence('river_job', 'id')), @now::timestamptz, @now::timestamptz
	FROM generate_series(@lo::int, @hi::int) AS g
		CROSS JOIN (VALUES {rules}) AS r (idx, name, template, offset_us)
	ORDER BY g, r.idx`,

	`INSERT INTO river_job (id, args, kind, max_attempts, priority, queue, state, scheduled_at)
	SELECT job_id, jsonb_build_object('reminder_id', id, 'tenant_id', tenant_id), 'reminder', 25, 1, 'reminders',
		'scheduled', scheduled_at
	FROM reminders
	WHERE meeting_id IN (SELECT 'mtg_' || @prefix || '_' || g FROM generate_series(@lo::int, @hi::int) AS g)`,
}

// sqliteSeed generates rows with a recursive common table expression,
// writes Herald's times as its fixed-width text and the engine's in the
// engine's own layout, and numbers the jobs after @job_base.
var sqliteSeed = []string{
	`WITH RECURSIVE seq (g) AS (SELECT @lo UNION ALL SELECT g + 1 FROM seq WHERE g < @hi)
	INSERT INTO leads (id, tenant_id, name, phone, email, timezone, locale, sms_opted_out, sms_opted_out_at,
		created_at, updated_at)
	SELECT 'lead_' || @prefix || '_' || g, @tenant, 'Lead ' || g, '+1' || (2000000000 + g), '', '', '', 0, NULL,
		@now, @now
	FROM seq`,

	`WITH RECURSIVE seq (g) AS (SELECT @lo UNION ALL SELECT g + 1 FROM seq WHERE g < @hi),
		starts (g, us) AS (SELECT g, @first_us + (g - 1) * @step_us FROM seq)
	INSERT INTO meetings (id, tenant_id, lead_id, title, starts_at, timezone, join_link, status, source, sequence,
		confirmed_at, cancelled_at, created_at, updated_at)
	SELECT 'mtg_' || @prefix || '_' || g, @tenant, 'lead_' || @prefix || '_' || g, 'Demo ' || g,
		strftime('%Y-%m-%dT%H:%M:%S', us / 1000000, 'unixepoch') || printf('.%06dZ', us % 1000000),
		'', '', 'scheduled', 'heraldbench', 0, NULL, NULL, @now, @now
	FROM starts`,

	`WITH RECURSIVE seq (g) AS (SELECT @lo UNION ALL SELECT g + 1 FROM seq WHERE g < @hi),
		rules (idx, name, template, offset_us) AS (VALUES {rules}),
		due (g, idx, name, template, us) AS (
			SELECT g, idx, name, template, @first_us + (g - 1) * @step_us - offset_us FROM seq CROSS JOIN rules)
	INSERT INTO reminders (id, tenant_id, meeting_id, rule, template, scheduled_at, status, reason, channel, provider,
		attempts, max_retries, next_retry_at, last_error, external_message_id, idempotency_key, delivery_status,
		sent_at, job_id, created_at, updated_at)
	SELECT 'rem_' || @prefix || '_' || g || '_' || name, @tenant, 'mtg_' || @prefix || '_' || g, name, template,
		strftime('%Y-%m-%dT%H:%M:%S', us / 1000000, 'unixepoch') || printf('.%06dZ', us % 1000000),
		'pending', '', '', '', 0, 3, NULL, '', '', 'mtg_' || @prefix || '_' || g || ':0:' || name, '', NULL,
		@job_base + (g - @lo) * {rule_count} + idx + 1, @now, @now
	FROM due ORDER BY g, idx`,

	`INSERT INTO river_job (id, args, kind, max_attempts, priority, queue, state, scheduled_at)
	SELECT job_id, jsonb(json_object('reminder_id', id, 'tenant_id', tenant_id)), 'reminder', 25, 1, 'reminders',
		'scheduled', replace(substr(scheduled_at, 1, 23), 'T', ' ')
	FROM reminders
	WHERE meeting_id IN (
		WITH RECURSIVE seq (g) AS (SELECT @lo UNION ALL SELECT g + 1 FROM seq WHERE g < @hi)
		SELECT 'mtg_' || @prefix || '_' || g FROM seq)`,
}
