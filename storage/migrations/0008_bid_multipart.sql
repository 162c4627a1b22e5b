-- Sealed-bid uploads become multipart uploads of the blob store (issue 4,
-- performance): each append streams into a part of the bid's object while
-- the envelope is verified, and the verifier's checkpoint is kept with the
-- upload, so that finalize neither reads nor copies the bid again.
-- An append too small to be a part (5 MiB) waits, with the ones after it,
-- in a "tail" object under uploads/<id>/ until the tail is big enough.
ALTER TABLE bid_uploads ADD COLUMN multipart_id VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE bid_uploads ADD COLUMN part_seq INT NOT NULL DEFAULT 0;
ALTER TABLE bid_uploads ADD COLUMN tail_key VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE bid_uploads ADD COLUMN tail_size BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bid_uploads ADD COLUMN verify_state {{blob}} NULL;
ALTER TABLE bid_upload_parts ADD COLUMN part_number INT NOT NULL DEFAULT 0;
ALTER TABLE bid_upload_parts ADD COLUMN etag VARCHAR(200) NOT NULL DEFAULT '';

-- Uploads begun in the old format cannot resume in the new one: they end
-- here, and the expiry removes their objects as leftovers.
UPDATE bid_uploads SET status = 'expired' WHERE status IN ('open', 'finalizing');
