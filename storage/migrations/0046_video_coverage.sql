-- Coverage of each camera (issue 17): the sweep has looked for gaps up to
-- coverage_until; offline_since is set while the camera sends nothing.
-- Every gap found is a row here and one video.coverage_gap event.
ALTER TABLE video_cameras ADD COLUMN coverage_until DATETIME(3) NULL;
ALTER TABLE video_cameras ADD COLUMN offline_since DATETIME(3) NULL;

CREATE TABLE video_gaps (
  id {{id}},
  camera_id BIGINT NOT NULL,
  from_at DATETIME(3) NOT NULL,
  to_at DATETIME(3) NULL,
  event_seq BIGINT NOT NULL,
  UNIQUE (camera_id, from_at)
) {{table}};
