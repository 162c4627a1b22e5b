-- Each project names its supervising department (行政监督部门): its
-- supervisors read the project's event log and act on it (issue 14). NULL
-- for projects created before; those are supervised by the platform's own
-- supervisors and by supervisors granted on the project.
ALTER TABLE bid_projects ADD COLUMN supervising_org_id BIGINT NULL;
