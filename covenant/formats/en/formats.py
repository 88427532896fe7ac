# English dates as people here write them: "7 Dec 2026, 01:19", a 24-hour clock like the
# Chinese pages, never "12/07/2026 1:19 a.m." (ambiguous day and month). The spaces inside a
# date are no-break spaces, so a narrow screen never splits "7 Dec 2026".
DATE_FORMAT = "j\u00a0M\u00a0Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j\u00a0M\u00a0Y, H:i"
SHORT_DATE_FORMAT = "j\u00a0M\u00a0Y"
SHORT_DATETIME_FORMAT = "j\u00a0M\u00a0Y, H:i"
MONTH_DAY_FORMAT = "j\u00a0M"
YEAR_MONTH_FORMAT = "F\u00a0Y"
FIRST_DAY_OF_WEEK = 1
