-- A tenant's template may exist once per locale ('' is the tenant's default for every lead; 'de', 'de-AT', 'fr'
-- serve the leads of that language or region, see README "Templates per language").
ALTER TABLE tenant_templates ADD COLUMN locale text NOT NULL DEFAULT '';
ALTER TABLE tenant_templates DROP CONSTRAINT tenant_templates_pkey;
ALTER TABLE tenant_templates ADD PRIMARY KEY (tenant_id, name, channel, locale);
