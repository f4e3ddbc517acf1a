-- Macros the published values use; created after macros.sql (Wilson and Byar bounds).
-- ci_bound: one bound of the catalogue's CI method, on the indicator's scale.
create or replace macro ci_bound(method, side, num, den, multiplier, z) as
    case
        when method = 'wilson' and side = 'lower' then wilson_lower(num, den, z) * multiplier
        when method = 'wilson' and side = 'upper' then wilson_upper(num, den, z) * multiplier
        when method = 'byar' and side = 'lower' then byars_lower(num, z) / den * multiplier
        when method = 'byar' and side = 'upper' then byars_upper(num, z) / den * multiplier
        else cast(null as double)
    end;
