-- The series pass groups one sender at a time (db/series.ts rebuildSeries), so that it
-- holds one sender's patches and not the archive's: this index hands it each sender's
-- patches and cover letters, in row order.
CREATE INDEX patch_msgs_sender ON patch_msgs(COALESCE(sender_email, ''), msg_row) WHERE kind IN ('patch', 'cover');
