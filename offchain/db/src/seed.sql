-- Reference data every Passa database starts with: permissions, the system roles and the event
-- category tree. Safe to run again at any time: every row is an upsert on its natural key, so a
-- re-run adds what is missing and refreshes descriptions, and never duplicates or deletes
-- (deleting roles would cascade into users' role assignments).

-- Permissions: resource.action at a scope (own / organization / all).
INSERT INTO permissions (permission_name, scope, description) VALUES
    ('users.read',          'own',          'Read one''s own account'),
    ('users.update',        'own',          'Update one''s own account'),
    ('users.read',          'all',          'Read any account'),
    ('users.update',        'all',          'Update any account'),
    ('users.suspend',       'all',          'Suspend or ban accounts'),
    ('users.delete',        'all',          'Delete accounts'),
    ('profiles.update',     'own',          'Edit one''s own public profile'),
    ('wallets.create',      'own',          'Link a wallet to one''s account'),
    ('wallets.delete',      'own',          'Unlink one''s own wallet'),
    ('wallets.read',        'all',          'Read any user''s wallets'),
    ('roles.assign',        'all',          'Grant and revoke roles'),
    ('roles.manage',        'all',          'Create and edit roles'),
    ('organizers.verify',   'all',          'Verify or revoke organizers (on chain and in the mirror)'),
    ('events.read',         'all',          'Read published events'),
    ('events.create',       'own',          'Create events as their organizer'),
    ('events.update',       'own',          'Edit one''s own events'),
    ('events.update',       'all',          'Edit any event'),
    ('events.publish',      'own',          'Publish one''s own events (requires verification)'),
    ('events.cancel',       'own',          'Cancel or postpone one''s own events'),
    ('events.cancel',       'all',          'Cancel any event'),
    ('events.delete',       'own',          'Delete one''s own draft events'),
    ('events.delete',       'all',          'Delete any event'),
    ('events.feature',      'all',          'Feature events on the home page'),
    ('categories.manage',   'all',          'Edit the category tree'),
    ('tags.manage',         'all',          'Edit and merge tags'),
    ('tickets.read',        'own',          'Read one''s own tickets'),
    ('tickets.read',        'organization', 'Read the tickets of one''s events'),
    ('tickets.read',        'all',          'Read any ticket'),
    ('tickets.purchase',    'own',          'Buy tickets'),
    ('tickets.transfer',    'own',          'Send one''s tickets to another wallet'),
    ('tickets.resell',      'own',          'List one''s tickets for resale'),
    ('tickets.refund',      'own',          'Claim refunds for one''s tickets'),
    ('tickets.check_in',    'organization', 'Check in tickets at the gate of one''s events'),
    ('attribution.read',    'own',          'Read one''s own contributions'),
    ('attribution.read',    'organization', 'Read the contributions to one''s events'),
    ('attribution.read',    'all',          'Read any contribution'),
    ('attribution.propose', 'organization', 'Propose contributions to one''s events'),
    ('attribution.approve', 'organization', 'Approve contributions submitted to one''s events'),
    ('attribution.submit',  'own',          'Submit one''s contribution to an event'),
    ('attribution.approve', 'own',          'Accept a contribution proposed to oneself'),
    ('revenue.read',        'own',          'Read one''s own earnings'),
    ('revenue.read',        'organization', 'Read the revenue of one''s events'),
    ('revenue.read',        'all',          'Read any event''s revenue'),
    ('revenue.settle',      'organization', 'Settle one''s events'),
    ('revenue.settle',      'all',          'Co-sign high-value settlements'),
    ('revenue.claim',       'own',          'Claim one''s payouts'),
    ('contracts.deploy',    'all',          'Deploy and register contracts'),
    ('contracts.pause',     'all',          'Pause and unpause contracts'),
    ('contracts.upgrade',   'all',          'Upgrade contract code'),
    ('transactions.read',   'own',          'Read one''s own transactions'),
    ('transactions.read',   'all',          'Read any transaction'),
    ('audit_logs.read',     'all',          'Read the audit trail')
ON CONFLICT (permission_name, scope) DO UPDATE SET description = EXCLUDED.description;

-- System roles. Each role's permissions name rows above as "resource.action:scope".
WITH base(perms) AS (
    SELECT jsonb_build_array(
        'users.read:own', 'users.update:own', 'profiles.update:own', 'wallets.create:own',
        'wallets.delete:own', 'events.read:all', 'tickets.read:own', 'tickets.purchase:own',
        'tickets.transfer:own', 'tickets.resell:own', 'tickets.refund:own', 'transactions.read:own')
), contributor(perms) AS (
    SELECT jsonb_build_array(
        'attribution.read:own', 'attribution.submit:own', 'attribution.approve:own',
        'revenue.read:own', 'revenue.claim:own')
)
INSERT INTO user_roles (role_name, display_name, description, permissions, is_system)
SELECT r.role_name, r.display_name, r.description, r.perms, true
  FROM base, contributor, LATERAL (VALUES
    ('admin', 'Administrator', 'Runs the platform: verifies organizers, manages contracts, co-signs high-value settlements',
        jsonb_build_array(
            'users.read:all', 'users.update:all', 'users.suspend:all', 'users.delete:all',
            'wallets.read:all', 'roles.assign:all', 'roles.manage:all', 'organizers.verify:all',
            'events.read:all', 'events.update:all', 'events.cancel:all', 'events.delete:all',
            'events.feature:all', 'categories.manage:all', 'tags.manage:all', 'tickets.read:all',
            'attribution.read:all', 'revenue.read:all', 'revenue.settle:all', 'contracts.deploy:all',
            'contracts.pause:all', 'contracts.upgrade:all', 'transactions.read:all', 'audit_logs.read:all')),
    ('organizer', 'Organizer', 'Creates and runs events, appoints gate staff, settles revenue',
        base.perms || contributor.perms || jsonb_build_array(
            'events.create:own', 'events.update:own', 'events.publish:own', 'events.cancel:own',
            'events.delete:own', 'tickets.read:organization', 'tickets.check_in:organization',
            'attribution.read:organization', 'attribution.propose:organization',
            'attribution.approve:organization', 'revenue.read:organization', 'revenue.settle:organization')),
    ('artist', 'Artist', 'Performs at events and earns an attributed share', base.perms || contributor.perms),
    ('content_creator', 'Content creator', 'Creates content and promotes events for a share or commission', base.perms || contributor.perms),
    ('sponsor', 'Sponsor', 'Funds events and is credited for it', base.perms || contributor.perms),
    ('fan', 'Fan', 'Buys, holds, transfers and resells tickets', base.perms)
  ) AS r(role_name, display_name, description, perms)
ON CONFLICT (role_name) DO UPDATE
   SET display_name = EXCLUDED.display_name,
       description  = EXCLUDED.description,
       permissions  = EXCLUDED.permissions,
       is_system    = true;

-- Category tree: top-level categories, then their children.
INSERT INTO event_categories (name, slug, description, color_hex, sort_order) VALUES
    ('Music',           'music',       'Concerts, gigs and live performances',   '#E4572E', 10),
    ('Festivals',       'festivals',   'Multi-day and multi-stage festivals',     '#F3A712', 20),
    ('Arts & Culture',  'arts-culture','Theatre, film, exhibitions and fashion',  '#A8C686', 30),
    ('Comedy',          'comedy',      'Stand-up and comedy nights',              '#669BBC', 40),
    ('Sports',          'sports',      'Matches, races and tournaments',          '#29335C', 50),
    ('Conferences',     'conferences', 'Summits, talks and workshops',            '#6B2D5C', 60),
    ('Nightlife',       'nightlife',   'Club nights and parties',                 '#1B998B', 70),
    ('Community',       'community',   'Charity, faith and community gatherings', '#8D6A9F', 80)
ON CONFLICT (slug) DO UPDATE
   SET name = EXCLUDED.name, description = EXCLUDED.description,
       color_hex = EXCLUDED.color_hex, sort_order = EXCLUDED.sort_order;

INSERT INTO event_categories (parent_category_id, name, slug, sort_order)
SELECT parent.category_id, c.name, c.slug, c.sort_order
  FROM (VALUES
    ('music',        'Afrobeats',            'afrobeats',          10),
    ('music',        'Gengetone',            'gengetone',          20),
    ('music',        'Bongo Flava',          'bongo-flava',        30),
    ('music',        'Amapiano',             'amapiano',           40),
    ('music',        'Benga',                'benga',              50),
    ('music',        'Hip Hop',              'hip-hop',            60),
    ('music',        'Gospel',               'gospel',             70),
    ('music',        'Jazz',                 'jazz',               80),
    ('music',        'Electronic',           'electronic',         90),
    ('festivals',    'Music Festivals',      'music-festivals',    10),
    ('festivals',    'Food & Drink',         'food-drink',         20),
    ('festivals',    'Cultural Festivals',   'cultural-festivals', 30),
    ('arts-culture', 'Theatre',              'theatre',            10),
    ('arts-culture', 'Film',                 'film',               20),
    ('arts-culture', 'Exhibitions',          'exhibitions',        30),
    ('arts-culture', 'Poetry & Spoken Word', 'poetry-spoken-word', 40),
    ('arts-culture', 'Fashion',              'fashion',            50),
    ('sports',       'Football',             'football',           10),
    ('sports',       'Rugby',                'rugby',              20),
    ('sports',       'Athletics',            'athletics',          30),
    ('sports',       'Esports',              'esports',            40),
    ('conferences',  'Tech & Startups',      'tech-startups',      10),
    ('conferences',  'Business',             'business',           20),
    ('conferences',  'Workshops',            'workshops',          30),
    ('nightlife',    'Club Nights',          'club-nights',        10),
    ('nightlife',    'Parties',              'parties',            20),
    ('community',    'Charity',              'charity',            10),
    ('community',    'Faith',                'faith',              20)
  ) AS c(parent_slug, name, slug, sort_order)
  JOIN event_categories parent ON parent.slug = c.parent_slug
ON CONFLICT (slug) DO UPDATE
   SET parent_category_id = EXCLUDED.parent_category_id,
       name = EXCLUDED.name, sort_order = EXCLUDED.sort_order;
