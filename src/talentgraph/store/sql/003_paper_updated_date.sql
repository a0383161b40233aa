-- readers: optional (only the unit writer reads updated_date)
-- When the source last changed the record (OpenAlex `updated_date`, UTC). A paper_id is stored
-- once: when two units hold the same paper (a work in a snapshot part and in an API page), the
-- newer updated_date is kept, and on a tie or where neither has one, the unit written last.
-- Sources without such a date (paperlists) leave it NULL.
ALTER TABLE papers ADD COLUMN updated_date TIMESTAMP;
