-- Fingertips confidence-interval macros for DuckDB.
--
-- SQL twins of outcomes/stats.py (wilson_ci, poisson_count_ci); tests/test_stats.py
-- checks that both agree to 1e-9.
--
-- PREREQUISITE: the table ref_exact_poisson_limits(count INTEGER, confidence DOUBLE,
-- lower DOUBLE, upper DOUBLE) must exist BEFORE this file runs (DuckDB binds the
-- table when the macro is created). The build runner creates it from
-- outcomes.stats.exact_poisson_limits_table(): exact Poisson limits, as counts,
-- for counts 0..9 at confidence 0.95 and 0.998. DuckDB has no chi-square
-- quantile function, hence the lookup.
--
-- Arguments: z is the two-sided normal critical value:
--   95%   -> 1.959963984540054
--   99.8% -> 3.090232306167813
-- Wilson macros return proportions (0..1). Byar's macros return limits for the
-- COUNT: divide by the denominator (and multiply) to get a rate.
--
-- Behaviour matches Python: NULL for a NULL input or a zero/NULL denominator;
-- an error for negative counts or numerator > denominator. Differences from
-- Python: counts below 10 are looked up, so they must be whole numbers and z
-- one of the two values above (otherwise the result is NULL).

-- z -> the confidence level used as the key of ref_exact_poisson_limits.
CREATE OR REPLACE MACRO exact_poisson_confidence(z) AS
    CASE
        WHEN abs(z - 1.959963984540054) < 1e-9 THEN 0.95
        WHEN abs(z - 3.090232306167813) < 1e-9 THEN 0.998
    END;

-- Wilson score interval for a proportion num/den (Fingertips / PHStatsMethods).
CREATE OR REPLACE MACRO wilson_lower(num, den, z) AS
    CASE
        WHEN num IS NULL OR den IS NULL OR z IS NULL OR den <= 0 THEN NULL
        WHEN num < 0 OR num > den THEN error('wilson_lower: need 0 <= num <= den')
        WHEN num = 0 THEN 0.0
        ELSE (2 * num::DOUBLE + z * z
              - z * sqrt(z * z + 4 * num::DOUBLE * (1 - num::DOUBLE / den::DOUBLE)))
             / (2 * (den::DOUBLE + z * z))
    END;

CREATE OR REPLACE MACRO wilson_upper(num, den, z) AS
    CASE
        WHEN num IS NULL OR den IS NULL OR z IS NULL OR den <= 0 THEN NULL
        WHEN num < 0 OR num > den THEN error('wilson_upper: need 0 <= num <= den')
        WHEN num = den THEN 1.0
        ELSE (2 * num::DOUBLE + z * z
              + z * sqrt(z * z + 4 * num::DOUBLE * (1 - num::DOUBLE / den::DOUBLE)))
             / (2 * (den::DOUBLE + z * z))
    END;

-- Poisson count interval: exact (lookup) below 10, Byar's approximation from 10.
-- The lookup takes the limits of counts 0..9 as one list per confidence level (a
-- subquery that does not depend on the row, so DuckDB runs it once per z rather than
-- joining every row to the table); a count that is not a whole number gets NULL.
-- (The parameter is called "observed" because "count" clashes with the lookup
-- table's column inside the subquery.)
CREATE OR REPLACE MACRO byars_lower_settled(observed, z) AS
    CASE
        WHEN observed IS NULL OR z IS NULL THEN NULL
        WHEN observed < 0 THEN error('byars_lower: count must not be negative')
        WHEN observed < 10 THEN CASE WHEN observed = floor(observed) THEN list_extract(
            (SELECT list(e.lower ORDER BY e.count) FROM ref_exact_poisson_limits AS e
             WHERE e.confidence = exact_poisson_confidence(z)),
            CAST(observed AS INTEGER) + 1
        ) END
        ELSE observed::DOUBLE
             * pow(1 - 1 / (9 * observed::DOUBLE) - z / (3 * sqrt(observed::DOUBLE)), 3)
    END;

CREATE OR REPLACE MACRO byars_upper_settled(observed, z) AS
    CASE
        WHEN observed IS NULL OR z IS NULL THEN NULL
        WHEN observed < 0 THEN error('byars_upper: count must not be negative')
        WHEN observed < 10 THEN CASE WHEN observed = floor(observed) THEN list_extract(
            (SELECT list(e.upper ORDER BY e.count) FROM ref_exact_poisson_limits AS e
             WHERE e.confidence = exact_poisson_confidence(z)),
            CAST(observed AS INTEGER) + 1
        ) END
        ELSE (observed::DOUBLE + 1)
             * pow(1 - 1 / (9 * (observed::DOUBLE + 1)) + z / (3 * sqrt(observed::DOUBLE + 1)), 3)
    END;

-- A count a parallel sum of apportioned parts left a hair off a whole number (3.9999999999999996
-- for 4) is that whole number, so its interval never depends on the order of the additions.
CREATE OR REPLACE MACRO settled_count(observed) AS
    CASE WHEN abs(observed - round(observed)) < 1e-9 THEN round(observed) ELSE observed END;

CREATE OR REPLACE MACRO byars_lower(observed, z) AS
    byars_lower_settled(settled_count(observed), z);

CREATE OR REPLACE MACRO byars_upper(observed, z) AS
    byars_upper_settled(settled_count(observed), z);
