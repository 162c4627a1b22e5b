-- The live lights board asks every second what changed last (issue 16).
CREATE INDEX supervision_subjects_updated ON supervision_subjects (updated_at);
