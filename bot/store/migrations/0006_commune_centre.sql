-- A commune's centre (optional, from the areas file): where "far outside the commune" is
-- measured from, and the point an export gives a report filed without a location.
ALTER TABLE communes ADD COLUMN center_latitude REAL;
ALTER TABLE communes ADD COLUMN center_longitude REAL;
