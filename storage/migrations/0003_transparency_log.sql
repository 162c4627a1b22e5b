-- The transparency log (DESIGN.md §3, issue 3 part 4): an RFC 6962 Merkle
-- tree over the events, with SM3 (eventlog/LOG.md).
--
-- events.leaf_hash is the event's leaf hash (hex), written by the append
-- that writes the event. Events from before this migration have '' until
-- eventlog's Backfill (or the next append) hashes them.
ALTER TABLE events ADD COLUMN leaf_hash CHAR(64) NOT NULL DEFAULT '';

-- tree_size is the number of events in the tree. Appends advance it with
-- next_seq under the same row lock; it is 0 here so that the events
-- already in the log are hashed before the next one joins the tree.
ALTER TABLE event_counter ADD COLUMN tree_size BIGINT NOT NULL DEFAULT 0;

-- Every perfect subtree of the tree: (height, idx) covers the events with
-- seq in [idx * 2^height + 1, (idx + 1) * 2^height]. Height 0 repeats the
-- leaf hashes so that any root or proof is one indexed read. Rows are
-- written once, by the append that completes the subtree, and never change.
CREATE TABLE log_nodes (
  height SMALLINT NOT NULL,
  idx BIGINT NOT NULL,
  node_hash CHAR(64) NOT NULL,
  PRIMARY KEY (height, idx)
) {{table}};

-- Signed tree heads, in signing order. signed_at is Unix milliseconds and,
-- with tree_size and root_hash, what the platform key signed (signature is
-- hex of the SM2 ASN.1 signature; key_id the hex SM3 of the public key).
CREATE TABLE tree_heads (
  id {{id}},
  tree_size BIGINT NOT NULL,
  root_hash CHAR(64) NOT NULL,
  signed_at BIGINT NOT NULL,
  key_id CHAR(64) NOT NULL,
  signature VARCHAR(200) NOT NULL
) {{table}};

CREATE INDEX tree_heads_size ON tree_heads (tree_size);
