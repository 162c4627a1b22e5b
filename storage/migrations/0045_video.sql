-- The video index (issue 17): cameras with their ingest credentials, the
-- segments each one uploaded (SM3 hash, place in the blob store) and, once a
-- playlist names them, their sequence number, start and duration and the
-- event that logged them.
CREATE TABLE video_cameras (
  id {{id}},
  room VARCHAR(60) NOT NULL,
  name VARCHAR(100) NOT NULL,
  kind VARCHAR(12) NOT NULL,
  token_sm3 VARCHAR(64) NOT NULL,
  token_version INT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  rotated_at DATETIME(3) NOT NULL,
  last_segment_at DATETIME(3) NULL,
  -- the camera's latest playlist: entries it names whose upload is still
  -- finishing are logged from it when the upload completes
  last_playlist TEXT NULL,
  UNIQUE (room, name)
) {{table}};

-- An uploaded segment file. seq, start_at and duration_ms stay NULL until
-- a playlist names the file; logged_seq is the event that holds its hash.
CREATE TABLE video_segments (
  id {{id}},
  camera_id BIGINT NOT NULL,
  file VARCHAR(100) NOT NULL,
  blob_key VARCHAR(255) NOT NULL,
  sm3 VARCHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  received_at DATETIME(3) NOT NULL,
  seq BIGINT NULL,
  start_at DATETIME(3) NULL,
  duration_ms INT NULL,
  logged_seq BIGINT NULL,
  UNIQUE (camera_id, file),
  UNIQUE (camera_id, seq)
) {{table}};
CREATE INDEX video_segments_time ON video_segments (camera_id, start_at);
