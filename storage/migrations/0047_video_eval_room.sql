-- A camera of an evaluation room names the room (eval_rooms.id), so that a
-- coverage gap during that room's session is a warning on the section
-- being evaluated there (issue 16's rule B-VIDEO-GAP).
ALTER TABLE video_cameras ADD COLUMN eval_room_id BIGINT NOT NULL DEFAULT 0;
