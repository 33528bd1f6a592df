-- A tenant's template may exist once per locale ('' is the tenant's default for every lead; 'de', 'de-AT', 'fr'
-- serve the leads of that language or region, see README "Templates per language"). SQLite cannot change a
-- primary key, so the table is made anew.
CREATE TABLE tenant_templates_by_locale (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    name        text NOT NULL,
    channel     text NOT NULL,
    locale      text NOT NULL DEFAULT '',
    text        text NOT NULL,
    subject     text NOT NULL DEFAULT '',
    html        text NOT NULL DEFAULT '',
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    PRIMARY KEY (tenant_id, name, channel, locale)
);
INSERT INTO tenant_templates_by_locale (tenant_id, name, channel, locale, text, subject, html, created_at, updated_at)
    SELECT tenant_id, name, channel, '', text, subject, html, created_at, updated_at FROM tenant_templates;
DROP TABLE tenant_templates;
ALTER TABLE tenant_templates_by_locale RENAME TO tenant_templates;
